package dev.cairn.it;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.codeUnits;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The module layering, enforced: common ← rpc ← coord, store, batch ← dataflow ← node ← cli. Each module may use only the
 * modules to its left; coord, store and batch are siblings that know nothing of each other (the store keeps its
 * namespace in coord as any ZooKeeper client would, and the node wires the store into batch). No module touches
 * another's {@code internal} packages; only the service modules use the transport toolkit; and no transport, Raft,
 * ZooKeeper or Curator type is in a public, non-internal API.
 */
class ArchitectureTest {
    private static final JavaClasses CAIRN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.cairn");

    private static ArchRule layer(String module, String... forbidden) {
        return noClasses()
                .that()
                .resideInAPackage("dev.cairn." + module + "..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(forbidden)
                .because(module + " sits below them in the layering");
    }

    @Test
    void commonDependsOnNoOtherModule() {
        layer(
                        "common",
                        "dev.cairn.rpc..",
                        "dev.cairn.coord..",
                        "dev.cairn.store..",
                        "dev.cairn.batch..",
                        "dev.cairn.dataflow..",
                        "dev.cairn.node..",
                        "dev.cairn.cli..")
                .check(CAIRN);
    }

    @Test
    void rpcDependsOnlyOnCommon() {
        layer(
                        "rpc",
                        "dev.cairn.coord..",
                        "dev.cairn.store..",
                        "dev.cairn.batch..",
                        "dev.cairn.dataflow..",
                        "dev.cairn.node..",
                        "dev.cairn.cli..")
                .check(CAIRN);
    }

    @Test
    void coordDependsOnlyOnRpcAndCommon() {
        layer(
                        "coord",
                        "dev.cairn.batch..",
                        "dev.cairn.store..",
                        "dev.cairn.dataflow..",
                        "dev.cairn.node..",
                        "dev.cairn.cli..")
                .check(CAIRN);
    }

    @Test
    void storeDependsOnlyOnRpcAndCommon() {
        layer(
                        "store",
                        "dev.cairn.coord..",
                        "dev.cairn.batch..",
                        "dev.cairn.dataflow..",
                        "dev.cairn.node..",
                        "dev.cairn.cli..")
                .check(CAIRN);
    }

    @Test
    void batchDoesNotDependOnNodeOrCli() {
        layer(
                        "batch",
                        "dev.cairn.coord..",
                        "dev.cairn.store..",
                        "dev.cairn.dataflow..",
                        "dev.cairn.node..",
                        "dev.cairn.cli..")
                .check(CAIRN);
    }

    @Test
    void dataflowSitsAboveTheRuntimesAndBelowTheNode() {
        layer("dataflow", "dev.cairn.node..", "dev.cairn.cli..").check(CAIRN);
    }

    @Test
    void nodeDoesNotDependOnCli() {
        layer("node", "dev.cairn.cli..").check(CAIRN);
    }

    /** The modules whose {@code internal} packages nobody else may touch. */
    private static final List<String> MODULES =
            List.of("common", "rpc", "coord", "store", "batch", "dataflow", "node", "cli");

    /** Nothing outside {@code module} touches {@code dev.cairn.<module>.internal}: each module's machinery stays its own. */
    static ArchRule internalsStayInside(String module) {
        return noClasses()
                .that()
                .resideOutsideOfPackage("dev.cairn." + module + "..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.cairn." + module + ".internal..")
                .because("the machinery of " + module + " is reached only through its public entry points");
    }

    @Test
    void noModuleTouchesAnothersInternals() {
        for (String module : MODULES) internalsStayInside(module).check(CAIRN);
    }

    /**
     * The transport toolkit ({@code dev.cairn.rpc.grpc}) is for the modules that implement RPC
     * services; the node composes them as opaque {@code RpcService} values and never sees gRPC.
     */
    static final ArchRule TRANSPORT_TOOLKIT_ONLY_FOR_SERVICE_MODULES = noClasses()
            .that()
            .resideOutsideOfPackages(
                    "dev.cairn.rpc..",
                    "dev.cairn.coord..",
                    "dev.cairn.store..",
                    "dev.cairn.batch..",
                    "dev.cairn.dataflow..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("dev.cairn.rpc.grpc..")
            .because("only coord, store, batch and dataflow implement RPC services");

    @Test
    void onlyServiceModulesUseTheTransportToolkit() {
        TRANSPORT_TOOLKIT_ONLY_FOR_SERVICE_MODULES.check(CAIRN);
    }

    /** A type of a library a public API must not show: transport, Raft, ZooKeeper, Curator. */
    static final DescribedPredicate<JavaClass> LIBRARY_TYPE =
            new DescribedPredicate<>("a gRPC, protobuf, Ratis, ZooKeeper or Curator type") {
                @Override
                public boolean test(JavaClass c) {
                    String n = c.getPackageName();
                    return n.startsWith("io.grpc")
                            || n.startsWith("com.google.protobuf")
                            || n.contains(".internal.proto")
                            || n.startsWith("org.apache.ratis")
                            || n.startsWith("org.apache.jute")
                            || n.startsWith("org.apache.zookeeper")
                            || n.startsWith("org.apache.curator");
                }
            };

    /** Public methods and constructors of public classes in a module's public packages show no library type. */
    static final ArchRule PUBLIC_API_SHOWS_NO_LIBRARY_TYPES = codeUnits()
            .that()
            .arePublic()
            .and()
            .areDeclaredInClassesThat()
            .resideOutsideOfPackages("..internal..", "dev.cairn.rpc.grpc..")
            .and()
            .areDeclaredInClassesThat()
            .arePublic()
            .should()
            .haveRawReturnType(DescribedPredicate.not(LIBRARY_TYPE))
            .andShould()
            .haveRawParameterTypes(DescribedPredicate.not(DescribedPredicate.anyElementThat(LIBRARY_TYPE)));

    @Test
    void publicApiExposesNoLibraryTypes() {
        PUBLIC_API_SHOWS_NO_LIBRARY_TYPES.check(CAIRN);
    }

    /** The rules above are not vacuous: each fails on a class made to break it. */
    @Test
    void theRulesCatchViolations() {
        JavaClasses fixtures = new ClassFileImporter()
                .importClasses(
                        dev.cairn.node.archfixture.NodeClassUsingCoordInternals.class,
                        dev.cairn.node.archfixture.NodeClassUsingTransportToolkit.class,
                        dev.cairn.store.archfixture.StoreApiShowingCurator.class);
        EvaluationResult internals = internalsStayInside("coord").evaluate(fixtures);
        assertThat(internals.hasViolation())
                .as("a node class importing dev.cairn.coord.internal")
                .isTrue();
        assertThat(internals.getFailureReport().getDetails()).anyMatch(d -> d.contains("NodeClassUsingCoordInternals"));
        assertThat(TRANSPORT_TOOLKIT_ONLY_FOR_SERVICE_MODULES
                        .evaluate(fixtures)
                        .getFailureReport()
                        .getDetails())
                .anyMatch(d -> d.contains("NodeClassUsingTransportToolkit"));
        assertThat(PUBLIC_API_SHOWS_NO_LIBRARY_TYPES
                        .evaluate(fixtures)
                        .getFailureReport()
                        .getDetails())
                .anyMatch(d -> d.contains("StoreApiShowingCurator") && d.contains("CuratorFramework"));
    }
}
