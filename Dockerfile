# The plugin's root file system: a Java runtime cut to the modules the jar uses, the C libraries
# that runtime and libfuse2 load, the one jar and its class-data-sharing archive; nothing else (no
# shell, no package manager).
#
# No registry is needed: the build stage's FROM names a Debian bookworm image that already holds
# a JDK (jdeps, jlink and the jmods) and libfuse2. plugin/make-plugin-dir.sh makes it with
# debootstrap (openjdk-17-jdk-headless, libfuse2) and `docker import`s it under this name before
# building; the final stage starts from `scratch`, which is no image at all.
FROM cvmfs-thin/plugin-build:bookworm AS build

COPY plugin/target/cvmfs-thin.jar /rootfs/opt/cvmfs-thin/cvmfs-thin.jar

# 1. The runtime: the modules jdeps finds in the jar, plus jdk.crypto.ec (TLS to https stratum
#    servers negotiates EC keys, which jdeps cannot see), with a base CDS archive for compressed
#    oops (the plugin's heap is small, so the no-compressed-oops archive is dropped). Java debug
#    attributes are stripped; Debian's native libraries come stripped already (jlink's native
#    stripping would need binutils).
#    The native libraries of java.desktop's graphics are dropped too: the jar uses java.beans
#    types of that module, never its windows, fonts, images or sound.
RUN set -eu; \
    modules=$(jdeps --ignore-missing-deps --print-module-deps --multi-release 17 -q \
      /rootfs/opt/cvmfs-thin/cvmfs-thin.jar); \
    echo "runtime modules: $modules,jdk.crypto.ec"; \
    jlink --add-modules "$modules,jdk.crypto.ec" --strip-java-debug-attributes --no-man-pages --no-header-files \
      --compress=2 --generate-cds-archive --output /rootfs/opt/cvmfs-thin/jre; \
    cd /rootfs/opt/cvmfs-thin/jre/lib; \
    rm -f server/classes_nocoops.jsa libawt.so libawt_headless.so libawt_xawt.so \
      libfontmanager.so libjavajpeg.so liblcms.so libmlib_image.so libsplashscreen.so \
      libjsound.so; \
    if [ -s /etc/ssl/certs/java/cacerts ]; then cp -L /etc/ssl/certs/java/cacerts security/cacerts; fi

# 2. The C libraries: every library the runtime's binaries and libfuse2 need (ldd), libc.so.6 that
#    jnr-ffi opens by name, the glibc stubs the jar's own native code (sqlite-jdbc) links, the
#    dynamic loader, and the loader's configuration; the usr-merged
#    layout of Debian (/lib and /lib64 are links into /usr).
RUN set -eu; \
    dst=/rootfs/usr/lib/x86_64-linux-gnu; \
    mkdir -p "$dst" /rootfs/usr/lib64 /rootfs/etc /rootfs/tmp /rootfs/data \
      /rootfs/run/docker/plugins /rootfs/etc/cvmfs /rootfs/publish; \
    chmod 1777 /rootfs/tmp; \
    ln -s usr/lib /rootfs/lib; ln -s usr/lib64 /rootfs/lib64; \
    fuse=/usr/lib/x86_64-linux-gnu/libfuse.so.2; \
    { find /rootfs/opt/cvmfs-thin/jre -type f \( -name '*.so' -o -path '*/bin/*' \) \
        -exec ldd {} \; ; ldd "$fuse"; } 2>/dev/null \
      | awk '$2 == "=>" && $3 ~ /^\// && $3 !~ /^\/rootfs\// { print $3 }' | sort -u > /tmp/libs; \
    echo "$fuse" >> /tmp/libs; \
    for lib in libc.so.6 libpthread.so.0 libdl.so.2 librt.so.1; do \
      echo "/usr/lib/x86_64-linux-gnu/$lib" >> /tmp/libs; done; \
    for lib in $(sort -u /tmp/libs); do cp -L "$lib" "$dst/"; done; \
    cp -L /lib64/ld-linux-x86-64.so.2 /rootfs/usr/lib64/; \
    ln -s ../lib64/ld-linux-x86-64.so.2 "$dst/ld-linux-x86-64.so.2"; \
    cp -a /etc/ld.so.conf /etc/ld.so.conf.d /etc/nsswitch.conf /rootfs/etc/; \
    printf 'root:x:0:0:root:/:/nonexistent\n' > /rootfs/etc/passwd; \
    printf 'root:x:0:\n' > /rootfs/etc/group; \
    ldconfig -r /rootfs; \
    echo "libraries: $(sort -u /tmp/libs | xargs -n1 basename | tr '\n' ' ')"

FROM scratch
COPY --from=build /rootfs/ /

# A class-data-sharing archive of the classes the plugin loads at start, so that the JVM listens
# on its socket sooner (dockerd gives a plugin about 9.5 s). config.json's Entrypoint uses it;
# without it the JVM starts as usual. No shell here: the exec form, with the plugin's state and
# socket on /dev/shm, which the build does not keep (the native libraries Netty and jffi unpack
# into /tmp are deleted by them).
RUN ["/opt/cvmfs-thin/jre/bin/java", "-XX:ArchiveClassesAtExit=/opt/cvmfs-thin/cvmfs-thin.jsa", \
     "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", \
     "-jar", "/opt/cvmfs-thin/cvmfs-thin.jar", "serve", "--exit-after-start", \
     "--socket", "/dev/shm/cds/plugin.sock", "--state", "/dev/shm/cds/state", \
     "--cvmfs-config", "/dev/shm/cds/etc"]

# dockerd runs the Entrypoint of config.json as PID 1; this one is for `docker run` checks.
ENTRYPOINT ["/opt/cvmfs-thin/jre/bin/java", "-jar", "/opt/cvmfs-thin/cvmfs-thin.jar"]
