# Sourced, not run, by ./hearth, ./run-workers.sh, http/start-cache.sh and benchmarks/run.sh: the
# JVM options that the java on the PATH needs besides what an executable jar's manifest carries. The
# manifests carry the --add-exports/--add-opens Chronicle needs on every Java version; Java 24 and
# later also need the root pom's options-from-java-24 (--enable-native-access,
# --sun-misc-unsafe-memory-access), which a manifest cannot carry and Java 17 refuses. They are read
# from the build's copy of the root pom's lists, core/target/classes/io/hearth/jvm-options.properties
# (its from-java-N=OPTIONS lines).

# hearth_jvm_options ROOT: sets the array HEARTH_JVM_OPTIONS to those options (empty on Java 17);
# fails, saying why on stderr, when it cannot tell java's version or the build's copy is missing.
hearth_jvm_options() {
    local properties="$1/core/target/classes/io/hearth/jvm-options.properties" version line option
    HEARTH_JVM_OPTIONS=()
    # The first line of java -version: openjdk version "17.0.15" 2025-04-15, "25" 2025-09-16, "1.8.0_392"
    version=$(java -version 2>&1 | sed -n '1s/^[^"]*"\([0-9][0-9.]*\).*/\1/p')
    version=${version#1.}
    version=${version%%.*}
    if [[ ! "$version" =~ ^[0-9]+$ ]]; then
        echo "cannot tell the version of $(command -v java) from: $(java -version 2>&1 | head -1)" >&2
        return 1
    fi
    if [[ ! -f "$properties" ]]; then
        echo "$properties is missing: build Hearth first (mvn -DskipTests package)" >&2
        return 1
    fi
    while IFS= read -r line; do
        if [[ "$line" =~ ^from-java-([0-9]+)=(.*)$ ]] && (( version >= BASH_REMATCH[1] )); then
            for option in ${BASH_REMATCH[2]}; do
                HEARTH_JVM_OPTIONS+=("$option")
            done
        fi
    done < "$properties"
}

# hearth_start_cache_kind: for the java on the PATH, sets HEARTH_START_CACHE_SUFFIX (aot or jsa),
# HEARTH_START_CACHE_RECORD and HEARTH_START_CACHE_USE (options that take the cache's path after
# them): the AOT cache where the JVM has one (Java 25 and later), an AppCDS archive before it.
hearth_start_cache_kind() {
    local flags
    flags=$(java -XX:+PrintFlagsFinal -version 2>/dev/null) || true # whole: grep -q would close the pipe on java
    if [[ "$flags" == *' AOTCacheOutput '* ]]; then
        HEARTH_START_CACHE_SUFFIX=aot
        HEARTH_START_CACHE_RECORD=-XX:AOTCacheOutput=
        HEARTH_START_CACHE_USE=-XX:AOTCache=
    else
        HEARTH_START_CACHE_SUFFIX=jsa
        HEARTH_START_CACHE_RECORD=-XX:ArchiveClassesAtExit=
        HEARTH_START_CACHE_USE=-XX:SharedArchiveFile=
    fi
}
