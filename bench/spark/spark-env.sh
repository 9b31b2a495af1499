# Sourced by bench/tpch.sh and bench/wordcount.sh after bin/java-env.sh: builds the Spark baselines (bench/spark,
# outside the root reactor, so Spark is resolved only here) and sets SPARK_CP and SPARK_JAVA_FLAGS.
#
# Spark runs on the JDK bin/java-env.sh finds, the one Cairn and DuckDB run on (Spark 4.2 with Hadoop 3.5's client
# runs on JDK 25: HADOOP-19212 removed its Subject.getSubject call). SPARK_JAVA overrides it; it must be a JDK 21 or
# newer, as the TPC-H runner loads TpchReference, compiled for 21.
SPARK_JAVA=${SPARK_JAVA:-$JAVA}
# What Spark's own launcher gives every JVM it starts (org.apache.spark.launcher.JavaModuleOptions in 4.2), less
# sun.security.action, gone from JDK 25's java.base. Spark reaches into the JDK's internals (DirectByteBuffer,
# sun.nio.ch, Unsafe) and fails or warns without them.
SPARK_JAVA_FLAGS="-XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED --add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  -Dio.netty.tryReflectionSetAccessible=true -Dio.netty.allocator.type=pooled
  --enable-native-access=ALL-UNNAMED"
if [ "$(cairn_java_version "$SPARK_JAVA")" -ge 23 ]; then
  SPARK_JAVA_FLAGS="$SPARK_JAVA_FLAGS --sun-misc-unsafe-memory-access=allow"
fi
# Local mode binds the driver to the loopback address rather than whatever the host name resolves to.
export SPARK_LOCAL_IP=${SPARK_LOCAL_IP:-127.0.0.1}

spark_build() { # $1: a scratch directory for the class path file
  echo "building the Spark baselines (bench/spark) ..."
  local cpfile="$1/spark-classpath.txt" args="-DskipTests package dependency:build-classpath"
  args="$args -Dmdep.includeScope=runtime -Dmdep.outputFile=$cpfile"
  # Offline first, as the other builds; online the first time, when Spark is not in the local repository yet.
  # shellcheck disable=SC2086
  (cd "$ROOT" && { mvn -B -q -o -f bench/spark/pom.xml $args >/dev/null 2>&1 || mvn -B -q -f bench/spark/pom.xml $args; })
  SPARK_CP="$ROOT/bench/spark/target/classes:$(cat "$cpfile")"
}
