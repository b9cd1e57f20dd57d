package org.mipfed.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code mipfed stop ALIAS...|all}: take nodes out of analyses (they stay joined). */
@Command(
        name = "stop",
        mixinStandardHelpOptions = true,
        description = "Take nodes out of analyses (by alias or id, or all); they stay joined.")
final class StopCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "ALIAS", description = "Node aliases or ids, or 'all'.")
    List<String> nodes;

    @Mixin
    ManagerDir manager;

    @Override
    public Integer call() {
        return StartCommand.setAvailability(manager, nodes, "stop");
    }
}
