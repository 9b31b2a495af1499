package dev.cairn.cli;

import dev.cairn.node.NodeConfig;
import picocli.CommandLine.Command;

@Command(
        name = "config",
        description = "Print every node configuration key with its default and documentation, as YAML.")
final class ConfigCommand implements Runnable {
    @Override
    public void run() {
        System.out.print(NodeConfig.DEF.renderYaml());
    }
}
