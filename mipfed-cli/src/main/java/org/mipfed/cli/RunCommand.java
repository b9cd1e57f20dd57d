package org.mipfed.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mipfed run ALGORITHM ...}: run an analysis through the manager's REST API and print the result JSON. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run an analysis and print its result as JSON.")
final class RunCommand implements Callable<Integer> {
    @Parameters(
            index = "0",
            paramLabel = "ALGORITHM",
            description = "e.g. descriptive_stats, linear_regression (GET /algorithms lists them).")
    String algorithm;

    @Option(names = "--data-model", required = true, description = "e.g. dementia:0.1")
    String dataModel;

    @Option(names = "--datasets", required = true, split = ",", description = "Comma-separated dataset codes.")
    List<String> datasets;

    @Option(names = "--y", split = ",", description = "Dependent variable(s).")
    List<String> y = new ArrayList<>();

    @Option(names = "--x", split = ",", description = "Independent variable(s) / covariates.")
    List<String> x = new ArrayList<>();

    @Option(names = "--filter", description = "A jQuery-QueryBuilder filter as JSON.")
    String filter;

    @Option(
            names = {"-p", "--param"},
            description = "Algorithm parameter KEY=VALUE (VALUE is read as JSON when it parses, else as text).")
    List<String> params = new ArrayList<>();

    @Mixin
    ManagerDir manager;

    @Override
    public Integer call() throws JsonProcessingException {
        ObjectNode body = Json.mapper().createObjectNode();
        ObjectNode input = body.putObject("inputdata");
        input.put("data_model", dataModel);
        datasets.forEach(input.putArray("datasets")::add);
        y.forEach(input.putArray("y")::add);
        x.forEach(input.putArray("x")::add);
        if (filter != null) {
            try {
                input.set("filters", Json.mapper().readTree(filter));
            } catch (JsonProcessingException e) {
                throw Problem.badRequest("--filter is not valid JSON: " + e.getOriginalMessage());
            }
        }
        ObjectNode parameters = body.putObject("parameters");
        for (String p : params) {
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw Problem.badRequest("-p needs KEY=VALUE; got '" + p + "'");
            }
            parameters.set(p.substring(0, eq), value(p.substring(eq + 1)));
        }
        JsonNode result = manager.admin().post("/algorithms/" + algorithm, body);
        System.out.println(Json.pretty().writeValueAsString(result));
        return 0;
    }

    private static JsonNode value(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            return Json.mapper().getNodeFactory().textNode(text);
        }
    }
}
