package org.mipfed.node.store;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.condition.DisabledIfEnvironmentVariable;

/**
 * Marks a test class that keeps its data in the test PostgreSQL database: the whole class is skipped, before any of its
 * set-up runs, when the user chose to run without PostgreSQL ({@code ./mipfed test --without-postgres} sets
 * {@code MIPFED_TEST_WITHOUT=postgres}). An assumption inside the set-up would leave the tear-down half a store to
 * close.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@DisabledIfEnvironmentVariable(
        named = "MIPFED_TEST_WITHOUT",
        matches = "(.*,)?postgres(,.*)?",
        disabledReason = "PostgreSQL left out (./mipfed test --without-postgres, MIPFED_TEST_WITHOUT)")
public @interface NeedsPostgres {}
