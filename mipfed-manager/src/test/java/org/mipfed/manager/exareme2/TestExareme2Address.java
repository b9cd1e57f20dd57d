package org.mipfed.manager.exareme2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;

class TestExareme2Address {
    @Test
    void privateAddressesAreAcceptedAndPublicOrWildcardOnesOnlyWithTheFlag() {
        for (String address : new String[] {
            "127.0.0.1:5000", "10.1.2.3:5000", "172.16.0.9:0", "192.168.1.1:80", "[::1]:5000", "[fd00::1]:5000"
        }) {
            Exareme2Address.parse(address, false).checkPrivate();
        }
        for (String address : new String[] {"0.0.0.0:5000", "[::]:5000", "8.8.8.8:5000", "[2001:4860::8888]:5000"}) {
            assertThatThrownBy(() -> Exareme2Address.parse(address, false).checkPrivate())
                    .as(address)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("--exareme2-api-public")
                    .hasMessageContaining("asks for no credentials");
            Exareme2Address.parse(address, true).checkPrivate();
        }
        assertThat(Exareme2Address.parse("[::1]:5000", false).host()).isEqualTo("::1");
    }

    @Test
    void aMalformedAddressSaysWhatIsExpected() {
        assertThatThrownBy(() -> Exareme2Address.parse("5000", false)).hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> Exareme2Address.parse("host:http", false)).hasMessageContaining("not a port number");
        assertThatThrownBy(() -> Exareme2Address.parse("host:70000", false)).hasMessageContaining("70000");
        assertThatThrownBy(() -> Exareme2Address.parse("no-such-host.invalid:5000", false)
                        .checkPrivate())
                .hasMessageContaining("does not resolve");
        assertThatThrownBy(() -> Exareme2Address.parse("127.0.0.1:5000", false, "X-User: evil"))
                .hasMessageContaining("not a header name");
    }

    @Test
    void problemTypesMapOntoExareme2sStatusesWithTheRefusalRuleDeciding() {
        assertThat(Exareme2Statuses.of(Problem.badRequest("x"))).isEqualTo(400);
        assertThat(Exareme2Statuses.of(Problem.notFound("no algorithm"))).isEqualTo(400);
        assertThat(Exareme2Statuses.of(new Problem(ProblemType.UNKNOWN_DATA, "x")))
                .isEqualTo(460);
        assertThat(Exareme2Statuses.of(new Problem(ProblemType.DATASET_UNAVAILABLE, "x")))
                .isEqualTo(460);
        assertThat(Exareme2Statuses.of(Problem.refusedByNode("a", "min_rows", "x")))
                .isEqualTo(461);
        assertThat(Exareme2Statuses.of(Problem.refusedByNode("a", "differencing", "x")))
                .isEqualTo(461);
        assertThat(Exareme2Statuses.of(Problem.refusedByNode("a", "max_levels", "x")))
                .isEqualTo(460);
        assertThat(Exareme2Statuses.of(new Problem(ProblemType.SECURE_AGGREGATION_NOT_POSSIBLE, "x")))
                .isEqualTo(462);
        assertThat(Exareme2Statuses.of(new Problem(ProblemType.NODE_UNAVAILABLE, "x")))
                .isEqualTo(512);
        assertThat(Exareme2Statuses.of(new Problem(ProblemType.TIMED_OUT, "x"))).isEqualTo(513);
        assertThat(Exareme2Statuses.of(new Problem(ProblemType.NODE_ERROR, "x", Map.of("rule", "min_rows"), null)))
                .isEqualTo(500);
    }
}
