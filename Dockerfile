# The plugin's root file system: a Java 17 runtime, libfuse2 for jnr-fuse, and the one jar.
#
# No registry is needed: FROM names a Debian bookworm base that already holds the runtime.
# plugin/make-plugin-dir.sh makes it with debootstrap (openjdk-17-jre-headless, libfuse2) and
# `docker import`s it under this name before building; any image with /usr/bin/java 17+ and
# libfuse.so.2 under that name works as well.
FROM cvmfs-thin/plugin-base:bookworm

COPY plugin/target/cvmfs-thin.jar /opt/cvmfs-thin/cvmfs-thin.jar

# A class-data-sharing archive of the classes the plugin loads at start, so that the JVM listens
# on its socket sooner (dockerd gives a plugin about 9.5 s). config.json's Entrypoint uses it;
# without it the JVM starts as usual.
RUN java -XX:ArchiveClassesAtExit=/opt/cvmfs-thin/cvmfs-thin.jsa -XX:+UseSerialGC \
      -XX:TieredStopAtLevel=1 -jar /opt/cvmfs-thin/cvmfs-thin.jar serve --exit-after-start \
      --socket /tmp/cds/plugin.sock --state /tmp/cds/state --cvmfs-config /tmp/cds/etc \
    && rm -rf /tmp/cds

# dockerd runs the Entrypoint of config.json as PID 1; this one is for `docker run` checks.
ENTRYPOINT ["/usr/bin/java", "-jar", "/opt/cvmfs-thin/cvmfs-thin.jar"]
