# castai-events container image: build with Maven, run on Eclipse Temurin's Java 17 JRE (Ubuntu) as a non-root user.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY application.properties .
COPY src ./src
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre
# curl: the health check and the class-data training run below
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app castai
WORKDIR /app
# The jar, plus the files users edit or mount over: routes/, channels.yaml, templates/ and
# application.properties.
COPY --from=build /src/target/castai-events.jar /app/castai-events.jar
COPY routes /app/routes
COPY channels.yaml /app/channels.yaml
COPY templates /app/templates
COPY application.properties /app/application.properties
COPY bin/class-data-archive.sh /app/bin/class-data-archive.sh
# The heap gets 31 % of the container's memory limit (80 MB of 256 MiB; ~35 MB is live under
# load), from the start (InitialRAMPercentage): with fixed generation sizes (below) the JVM does
# not grow a heap begun at its default 1/64 of the limit, and spent minutes in back-to-back full
# collections before serving its first request, in 256 MiB and 512 MiB alike. MinRAMPercentage
# too: the JVM never sizes the heap below its default maximum (126 MB) unless that percentage of
# the memory is smaller, so in 256 MiB it could grow to 126 MB. The rest (about 150 MB: classes, compiled code, the JIT compiler's work space, thread
# stacks, native buffers) must fit beside it, so a 256 MiB container fits (bench/run.sh
# measures it). Parallel GC: the most events per second of serial, parallel and G1 here, and no
# worse a p99. Half the heap young (NewRatio=1, not a third), with fixed survivor spaces of a
# sixth of it each (adaptive sizing shrank them to ~3 MB): at ~100 KB allocated per event, the
# objects of the events in flight then die young instead of reaching the old generation, which
# filled up every few seconds under load (a ~35-45 ms full collection each time). The native heap is trimmed every second: glibc otherwise keeps ~35 MB the JIT
# compiler and SQLite freed. deploy/kubernetes gives 512 Mi. The class-data-sharing archive
# (written below by a training run of this jar with this JVM) halves the time to the first
# request; a replaced jar makes the JVM ignore it and start the slow way.
# No SERVER_PORT here: the environment would override a mounted application.properties' server.port.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=31 -XX:MinRAMPercentage=31 -XX:InitialRAMPercentage=31 -XX:+UseParallelGC -XX:NewRatio=1 -XX:-UseAdaptiveSizePolicy -XX:SurvivorRatio=4 -XX:ReservedCodeCacheSize=48m -Xss512k -XX:TrimNativeHeapInterval=1000 -XX:+ExitOnOutOfMemoryError -XX:SharedArchiveFile=/app/castai-events.jsa" \
    MALLOC_ARENA_MAX=2
RUN sh bin/class-data-archive.sh /app/castai-events.jar /app/castai-events.jsa
# DATA_DIR (./data): state kept across restarts; mount a volume here
RUN mkdir -p /app/data && chown 10001 /app/data
USER 10001
EXPOSE 8080
# asks SERVER_PORT, else 8080: a port changed in a mounted application.properties needs SERVER_PORT too
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD curl -fsS "http://127.0.0.1:${SERVER_PORT:-8080}/observe/health/live" || exit 1
ENTRYPOINT ["java", "-jar", "/app/castai-events.jar"]
