package dev.cairn.cli;

import dev.cairn.common.config.Config;
import dev.cairn.common.time.Clock;
import dev.cairn.node.CairnNode;
import dev.cairn.node.NodeConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "node", description = "Run a Cairn node in the foreground until it is stopped (SIGTERM or Ctrl-C).")
final class NodeCommand implements Callable<Integer> {
    @Option(
            names = "--conf",
            paramLabel = "FILE",
            description = "YAML configuration file (see 'cairn config' for every key).")
    Path conf;

    @Option(
            names = "-D",
            paramLabel = "KEY=VALUE",
            description = "Override one configuration key; wins over the file and the environment.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        Config config = Config.load(NodeConfig.DEF, conf, System.getenv(), overrides);
        // Fail-stop: a master whose coord session expired may already have been replaced; its job state must not act
        // again.
        CairnNode node = CairnNode.start(config, Clock.system(), () -> {
            System.err.println(
                    "this node lost its coord session while it was the active master; exiting so a standby can take over");
            Runtime.getRuntime().halt(75);
        });
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            node.close();
                            stopped.countDown();
                        },
                        "shutdown"));
        stopped.await();
        return 0;
    }
}
