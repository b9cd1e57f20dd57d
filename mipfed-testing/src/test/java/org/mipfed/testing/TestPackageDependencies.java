package org.mipfed.testing;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the arrows one way. This module sees every other one on its class path, so it reads the compiled main
 * classes of all of them (tests excluded: a test may reach across to drive a real peer) and fails the build on a
 * pair of packages importing each other, or on a module importing one that should come after it. A newcomer reads
 * the analysis path down the module names: proto, core, algorithms, node and manager (side by side), cli.
 */
class TestPackageDependencies {
    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        // the other modules come as their jars (or class folders) from the reactor; their test jars are left out
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("org.mipfed");
    }

    @Test
    void everyModuleIsOnTheClassPathToBeChecked() {
        for (String module : new String[] {"proto", "core", "algorithms", "node", "manager", "cli"}) {
            String prefix = "org.mipfed." + module + ".";
            assertThat(classes.stream().anyMatch(c -> c.getName().startsWith(prefix)))
                    .as("classes of mipfed-%s were imported", module)
                    .isTrue();
        }
    }

    @Test
    void noTwoPackagesDependOnEachOther() {
        // every package is its own slice: a cycle of any length between any of them fails
        slices().matching("org.mipfed.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void modulesDependOnlyOnTheOnesBeforeThem() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("proto")
                .definedBy("org.mipfed.proto..")
                .layer("core")
                .definedBy("org.mipfed.core..")
                .layer("algorithms")
                .definedBy("org.mipfed.algorithms..")
                .layer("node")
                .definedBy("org.mipfed.node..")
                .layer("manager")
                .definedBy("org.mipfed.manager..")
                .layer("cli")
                .definedBy("org.mipfed.cli..")
                .whereLayer("cli")
                .mayNotBeAccessedByAnyLayer()
                // a hospital's node and the federation's manager speak only through proto: neither imports the other
                .whereLayer("manager")
                .mayOnlyBeAccessedByLayers("cli")
                .whereLayer("node")
                .mayOnlyBeAccessedByLayers("cli")
                .whereLayer("algorithms")
                .mayOnlyBeAccessedByLayers("node", "manager", "cli")
                .whereLayer("core")
                .mayOnlyBeAccessedByLayers("algorithms", "node", "manager", "cli")
                .whereLayer("proto")
                .mayOnlyBeAccessedByLayers("core", "algorithms", "node", "manager", "cli")
                .check(classes);
    }
}
