# Sourced by the *-vs-base.sh benchmarks: runs one benchmark class against two builds of the
# client, alternately, in one run: a base commit and this work tree. The benchmark code is this
# tree's (target/test-classes); only the client classes differ, so both builds are measured the
# same way. Callers set $base (a commit) first; `run_rounds CLASS HEAP OPTS ROUNDS OUT` appends
# "<base|head> KEY VALUE BASELINE" for every RESULT line the benchmark prints to OUT.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
client="$(cd "$here/.." && pwd)"
top="$(cd "$client/.." && pwd)"
basetree="/tmp/cvmfs-thin-base-$(git -C "$top" rev-parse --short "$base")"

if [ ! -d "$basetree" ]; then # an exported tree: the repository itself is left as it is
  mkdir -p "$basetree"
  git -C "$top" archive "$base" | tar -x -C "$basetree"
fi
(cd "$basetree" && mvn -B -q -o -pl cvmfs-client -am compile -Dspotless.check.skip=true >&2)
(cd "$client" && mvn -B -q test-compile org.apache.maven.plugins:maven-dependency-plugin:3.9.0:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2)
deps="$(cat "$client/target/bench.classpath")"

run_rounds() { # class heap opts rounds out
  local class=$1 heap=$2 opts=$3 rounds=$4 out=$5 r v classes
  for r in $(seq 1 "$rounds"); do
    for v in base head; do
      if [ "$v" = base ]; then classes="$basetree/cvmfs-client/target/classes"; else classes="$client/target/classes"; fi
      echo "round $r: $v" >&2
      # shellcheck disable=SC2086 # opts are several JVM options
      java "$heap" $opts -cp "$client/target/test-classes:$classes:$deps" "$class" 2>&1 >/dev/null \
        | awk -v v="$v" '$1 == "RESULT" { print v, $2, $3, $4 }' >>"$out"
    done
  done
}
