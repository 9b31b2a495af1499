package dev.cairn.cli;

import dev.cairn.common.security.TransportSecurity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.admin.ZooKeeperAdmin;
import org.apache.zookeeper.data.Stat;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cairn coord members list|add|remove}: the coord group's Raft membership, changed through
 * ZooKeeper's own {@code reconfig} request (so {@code ZooKeeperAdmin} and zkCli's {@code reconfig}
 * work too) into a Raft joint-consensus configuration change while clients keep working.
 *
 * <p>A member to add must already run, started with {@code coord.join: true} and a
 * {@code coord.members} that lists it; it takes no part until added.
 */
@Command(
        name = "members",
        description = "List, add or remove members of the coord group (Raft joint consensus).",
        subcommands = {
            CoordMembersCommand.ListMembers.class,
            CoordMembersCommand.Add.class,
            CoordMembersCommand.Remove.class
        })
final class CoordMembersCommand {
    static final class Target {
        @ArgGroup(exclusive = true, multiplicity = "0..1")
        Choice choice;

        @Option(
                names = "--as",
                paramLabel = "USER",
                description =
                        "On a secure cluster (--dir), act as USER with DIR/security/users/USER.pem (default: admin).")
        String as;

        @Option(
                names = "--connect-timeout",
                defaultValue = "10",
                paramLabel = "S",
                description = "Seconds to wait for a connection (default ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        static final class Choice {
            @Option(names = "--connect", paramLabel = "HOST:PORT[,...]", description = "Members to connect to.")
            String connect;

            @Option(names = "--dir", paramLabel = "DIR", description = "A cluster started by 'cluster up --dir DIR'.")
            Path dir;
        }

        /** How the store's data ports are reached: mutual TLS for a secure cluster's --dir. */
        TransportSecurity security() throws java.io.IOException {
            return ClientSecurity.forCluster(choice == null ? null : choice.dir, as);
        }

        /** ZooKeeper's client properties for coord: its TLS settings for a secure cluster's --dir. */
        java.util.Map<String, String> coordProperties() throws java.io.IOException {
            return ClientSecurity.coordProperties(choice == null ? null : choice.dir, as);
        }

        String connectString() throws Exception {
            if (choice != null && choice.connect != null) return choice.connect;
            if (choice != null && choice.dir != null) {
                String c = ClusterFile.read(choice.dir).coordConnect();
                if (c == null) throw new CliException("no coordConnect in " + ClusterFile.path(choice.dir));
                return c;
            }
            String env = System.getenv("CAIRN_COORD");
            if (env != null && !env.isBlank()) return env;
            throw new CliException("say which coord to use: --connect HOST:PORT[,...], --dir DIR, or $CAIRN_COORD");
        }

        ZooKeeperAdmin connect() throws Exception {
            String connect = connectString();
            CountDownLatch connected = new CountDownLatch(1);
            org.apache.zookeeper.client.ZKClientConfig config = new org.apache.zookeeper.client.ZKClientConfig();
            coordProperties().forEach(config::setProperty);
            ZooKeeperAdmin zk = new ZooKeeperAdmin(
                    connect,
                    30_000,
                    e -> {
                        if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
                    },
                    config);
            if (!connected.await(timeoutSeconds, TimeUnit.SECONDS)) {
                zk.close();
                throw new CliException("cannot connect to coord at " + connect + " within " + timeoutSeconds + " s");
            }
            return zk;
        }
    }

    @Command(name = "list", description = "The members (id=host:raftPort) and the configuration version.")
    static final class ListMembers implements Callable<Integer> {
        @ArgGroup(exclusive = false)
        Target target = new Target();

        @Override
        public Integer call() throws Exception {
            // A reconfig that asks for no change answers the current configuration (see ZkRequests.reconfig).
            return reconfig(target, null, null);
        }
    }

    @Command(name = "add", description = "Add running members (started with coord.join: true) to the group.")
    static final class Add implements Callable<Integer> {
        @ArgGroup(exclusive = false)
        Target target = new Target();

        @Parameters(arity = "1..*", paramLabel = "ID@HOST:RAFT_PORT", description = "The members to add.")
        List<String> members;

        @Override
        public Integer call() throws Exception {
            return reconfig(target, String.join(",", members), null);
        }
    }

    @Command(name = "remove", description = "Remove members from the group; a removed member stops serving.")
    static final class Remove implements Callable<Integer> {
        @ArgGroup(exclusive = false)
        Target target = new Target();

        @Parameters(arity = "1..*", paramLabel = "ID", description = "The members to remove.")
        List<String> ids;

        @Override
        public Integer call() throws Exception {
            return reconfig(target, null, String.join(",", ids));
        }
    }

    @SuppressWarnings("try") // ZooKeeper's close() declares InterruptedException; no one interrupts a CLI command
    private static int reconfig(Target target, String joining, String leaving) throws Exception {
        try (ZooKeeperAdmin zk = target.connect()) {
            byte[] config = zk.reconfigure(joining, leaving, null, -1, new Stat());
            System.out.print(new String(config, StandardCharsets.UTF_8));
            return 0;
        } catch (KeeperException e) {
            throw new CliException("membership change refused: " + e.getMessage());
        }
    }
}
