package dev.cairn.dataflow;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.Test;

/**
 * The dataflow module uses only common and rpc (its cluster runtime's master and workers talk over
 * Cairn's RPC; nothing else of the runtimes below), and its public API shows no machinery: no public method
 * of a public API type takes or returns a type from an {@code internal} package, except
 * {@link Dataflow#toGraph()}, the hand-over to runtimes.
 */
class ApiBoundaryTest {
    private static final JavaClasses DATAFLOW = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.cairn.dataflow");

    /** Common and RPC, and the batch runtime's public API, on which batch mode runs; nothing of coord, store or above. */
    @Test
    void dependsOnlyOnCommonRpcAndTheBatchApi() {
        noClasses()
                .that()
                .resideInAPackage("dev.cairn.dataflow..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.cairn.coord..",
                        "dev.cairn.store..",
                        "dev.cairn.batch.internal..",
                        "dev.cairn.node..",
                        "dev.cairn.cli..")
                .check(DATAFLOW);
    }

    @Test
    void publicSignaturesUseNoInternalTypes() {
        ArchCondition<JavaMethod> noInternalTypes = new ArchCondition<>("not take or return internal types") {
            @Override
            public void check(JavaMethod method, ConditionEvents events) {
                if (method.getOwner().isEquivalentTo(Dataflow.class)
                        && method.getName().equals("toGraph")) return;
                boolean internal = isInternal(method.getRawReturnType());
                for (JavaClass p : method.getRawParameterTypes()) internal |= isInternal(p);
                if (internal)
                    events.add(
                            SimpleConditionEvent.violated(method, method.getFullName() + " exposes an internal type"));
            }
        };
        methods()
                .that()
                .arePublic()
                .and()
                .areDeclaredInClassesThat()
                .arePublic()
                .and()
                .areDeclaredInClassesThat()
                .resideOutsideOfPackage("dev.cairn.dataflow.internal..")
                .should(noInternalTypes)
                .check(DATAFLOW);
    }

    private static boolean isInternal(JavaClass type) {
        return type.getPackageName().startsWith("dev.cairn.dataflow.internal");
    }
}
