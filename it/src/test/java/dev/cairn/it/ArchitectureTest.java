package dev.cairn.it;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The module layering, enforced: common ← rpc ← coord, store, batch ← node ← cli. Each module may use only the
 * modules to its left; coord, store and batch are siblings that know nothing of each other (the store keeps its
 * namespace in coord as any ZooKeeper client would, and the node wires the store into batch). And no transport type (gRPC, protobuf) in a public, non-internal API.
 */
class ArchitectureTest {
    private static final JavaClasses CAIRN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.cairn");

    private static ArchRule layer(String module, String... forbidden) {
        return noClasses().that().resideInAPackage("dev.cairn." + module + "..")
                .should().dependOnClassesThat().resideInAnyPackage(forbidden)
                .because(module + " sits below them in the layering");
    }

    @Test
    void commonDependsOnNoOtherModule() {
        layer("common", "dev.cairn.rpc..", "dev.cairn.coord..", "dev.cairn.store..", "dev.cairn.batch..", "dev.cairn.node..", "dev.cairn.cli..").check(CAIRN);
    }

    @Test
    void rpcDependsOnlyOnCommon() {
        layer("rpc", "dev.cairn.coord..", "dev.cairn.store..", "dev.cairn.batch..", "dev.cairn.node..", "dev.cairn.cli..").check(CAIRN);
    }

    @Test
    void coordDependsOnlyOnRpcAndCommon() {
        layer("coord", "dev.cairn.batch..", "dev.cairn.store..", "dev.cairn.node..", "dev.cairn.cli..").check(CAIRN);
    }

    @Test
    void storeDependsOnlyOnRpcAndCommon() {
        layer("store", "dev.cairn.coord..", "dev.cairn.batch..", "dev.cairn.node..", "dev.cairn.cli..").check(CAIRN);
    }

    @Test
    void batchDoesNotDependOnNodeOrCli() {
        layer("batch", "dev.cairn.coord..", "dev.cairn.store..", "dev.cairn.node..", "dev.cairn.cli..").check(CAIRN);
    }

    @Test
    void nodeDoesNotDependOnCli() {
        layer("node", "dev.cairn.cli..").check(CAIRN);
    }

    @Test
    void publicApiExposesNoTransportTypes() {
        DescribedPredicate<JavaClass> transport = new DescribedPredicate<>("a gRPC or protobuf type") {
            @Override
            public boolean test(JavaClass c) {
                String n = c.getPackageName();
                return n.startsWith("io.grpc") || n.startsWith("com.google.protobuf") || n.contains(".internal.proto")
                        || n.startsWith("org.apache.ratis") || n.startsWith("org.apache.jute") || n.startsWith("org.apache.zookeeper");
            }
        };
        methods().that().arePublic()
                .and().areDeclaredInClassesThat().resideOutsideOfPackage("..internal..")
                .and().areDeclaredInClassesThat().arePublic()
                .should().haveRawReturnType(DescribedPredicate.not(transport))
                .andShould().haveRawParameterTypes(DescribedPredicate.not(
                        DescribedPredicate.anyElementThat(transport)))
                .check(CAIRN);
    }
}
