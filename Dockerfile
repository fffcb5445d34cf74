# castai-events container image: build with Maven, run on a slim Java 17 runtime as a non-root user.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY application.properties .
COPY src ./src
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home-dir /app castai
WORKDIR /app
# The jar, plus the files users edit or mount over: routes/, channels.yaml, templates/ and
# application.properties.
COPY --from=build /src/target/castai-events.jar /app/castai-events.jar
COPY routes /app/routes
COPY channels.yaml /app/channels.yaml
COPY templates /app/templates
COPY application.properties /app/application.properties
# DATA_DIR (./data): state kept across restarts; mount a volume here
RUN mkdir -p /app/data && chown 10001 /app/data
USER 10001
# The heap gets 31 % of the container's memory limit (80 MB of 256 MiB; ~35 MB is live under
# load): the rest (about 150 MB: classes, compiled code, the JIT compiler's work space, thread
# stacks, native buffers) must fit beside it, so a 256 MiB container fits (bench/run.sh
# measures it). Parallel GC: the most events per second of serial, parallel and G1 here, and no
# worse a p99. The native heap is trimmed every second: glibc otherwise keeps ~35 MB the JIT
# compiler and SQLite freed. deploy/kubernetes gives 512 Mi.
ENV SERVER_PORT=8080 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=31 -XX:+UseParallelGC -XX:ReservedCodeCacheSize=48m -Xss512k -XX:TrimNativeHeapInterval=1000 -XX:+ExitOnOutOfMemoryError" \
    MALLOC_ARENA_MAX=2
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD curl -fsS "http://127.0.0.1:${SERVER_PORT}/observe/health/live" || exit 1
ENTRYPOINT ["java", "-jar", "/app/castai-events.jar"]
