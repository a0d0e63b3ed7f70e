package io.hearth.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hearth.bench.Id;
import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aJmhRunBecomesAResultNamedByItsIdWithItsBaseline() throws Exception {
        JsonNode jmh = JSON.readTree("""
                [{"benchmark": "io.hearth.bench.X.get", "forks": 1,
                  "primaryMetric": {"score": 812.5, "scoreError": 40.25, "scoreUnit": "ns/op"}}]""");

        List<Result> results = Report.fromJmh(jmh, name -> id("map.get", "raw.chronicle.get"));

        assertThat(results).containsExactly(new Result("map.get", "ns/op", 812.5, 40.25, "raw.chronicle.get"));
    }

    @Test
    void aBaselineHasANullBaselineAndASingleIterationHasNoError() throws Exception {
        JsonNode jmh = JSON.readTree("""
                [{"benchmark": "io.hearth.bench.X.raw",
                  "primaryMetric": {"score": 200.0, "scoreError": "NaN", "scoreUnit": "ns/op"}}]""");

        List<Result> results = Report.fromJmh(jmh, name -> id("raw.chronicle.get", ""));

        assertThat(results).containsExactly(new Result("raw.chronicle.get", "ns/op", 200.0, null, null));
    }

    @Test
    void resultsJsonHasExactlyTheIssuesFieldsInItsOrder() throws Exception {
        String json = JSON.writeValueAsString(new Result("raw.chronicle.get", "ns/op", 200.0, 3.5, null));

        assertThat(json).isEqualTo("{\"benchmark\":\"raw.chronicle.get\",\"unit\":\"ns/op\",\"value\":200.0,\"error\":3.5,\"baseline\":null}");
    }

    @Test
    void wrkRoundsAreAveragedWithTheirConfidenceHalfWidth() {
        List<Result> results = Report.fromHttpSamples(List.of(
                "http.constant.rps\t1000", "http.increment.rps\t900", "http.constant.rps\t1100", "http.increment.rps\t1000",
                "http.constant.rps\t1050", "http.increment.rps\t950"));

        assertThat(results).extracting(Result::benchmark, Result::value, Result::baseline).containsExactly(
                org.assertj.core.groups.Tuple.tuple("http.constant.rps", 1050.0, null),
                org.assertj.core.groups.Tuple.tuple("http.increment.rps", 950.0, "http.constant.rps"));
        assertThat(results.get(0).error()).isPositive();
    }

    @Test
    void theMarkdownStatesAMissedGoalPlainlyWithItsRatioAndWhatLimitsIt() {
        String md = Markdown.render(run(List.of(
                new Result("map.get", "ns/op", 1900, 50.0, "raw.chronicle.get"),
                new Result("raw.chronicle.get", "ns/op", 200, 5.0, null),
                new Result("map.get.uncached", "ns/op", 1000, 20.0, "raw.chronicle.get"))));

        assertThat(md).contains("| map.get within 1.3× raw.chronicle.get | 1,900 ± 50.0 vs 200 ± 5.00 ns/op | 9.50× | **missed** |");
        assertThat(md).contains("map.get within 1.3× raw.chronicle.get: missed, at 9.50×.");
        assertThat(md).contains("a changed entry is read and decoded as without the cache (`map.get.uncached`, 1,000 ns here)");
        assertThat(md).contains("| map.get | 1,900 ± 50.0 | raw.chronicle.get | 200 ± 5.00 | 9.50× | ns/op |");
    }

    @Test
    void aMetGoalSaysMetAndAGoalWithoutFiguresSaysNotMeasured() {
        String md = Markdown.render(run(List.of(
                new Result("redis.incr", "ns/op", 50_000, 900.0, "counter.increment.1proc"),
                new Result("counter.increment.1proc", "ns/op", 5, 0.1, "raw.mmap.getAndAdd.1proc"))));

        assertThat(md).contains("| redis.incr at least 50× slower than counter.increment.1proc | 50,000 ± 900 vs 5.00 ± 0.100 ns/op | 10,000× | met |");
        assertThat(md).contains("| http.increment.rps at least 0.8× http.constant.rps | — | — | not measured |");
    }

    @Test
    void aGoalWhoseErrorBarsReachBothSidesIsNotResolvedNeverMet() {
        String md = Markdown.render(run(List.of(
                new Result("http.increment.rps", "ops/s", 133_023, 138_206.0, "http.constant.rps"),
                new Result("http.constant.rps", "ops/s", 133_041, 244_702.0, null),
                new Result("counter.increment.contended", "ns/op", 26, 85.6, "raw.mmap.getAndAdd.contended"),
                new Result("raw.mmap.getAndAdd.contended", "ns/op", 65.6, 10.1, null),
                new Result("map.get.ttl", "ns/op", 874, 37.6, "map.get"),
                new Result("map.get", "ns/op", 877, 51.4, "raw.chronicle.get"),
                new Result("map.put.ttl", "ns/op", 800, 5.0, "map.put"),
                new Result("map.put", "ns/op", 790, 5.0, "raw.chronicle.put"))));

        assertThat(md).contains("| http.increment.rps at least 0.8× http.constant.rps | 133,023 ± 138,206 vs 133,041 ± 244,702 ops/s"
                + " | 1.000× | not resolved (the error bars reach both sides of the goal) |");
        assertThat(md).contains("| counter.increment.contended within 2× raw.mmap.getAndAdd.contended | 26.0 ± 85.6 vs 65.6 ± 10.1 ns/op"
                + " | 0.396× | not resolved (the error bars reach both sides of the goal) |");
        assertThat(md).as("a ratio of 1.00 whose bars allow 1.10").contains("| map.get.ttl within 1.1× map.get (an entry that expires)"
                + " | 874 ± 37.6 vs 877 ± 51.4 ns/op | 0.997× | not resolved (the error bars reach both sides of the goal) |");
        assertThat(md).contains("| map.put.ttl within 1.1× map.put (an entry that expires) | 800 ± 5.00 vs 790 ± 5.00 ns/op | 1.01× | met |");
        assertThat(md).doesNotContain("What limits the missed goals");
    }

    @Test
    void aVerdictIsJudgedAtBothEndsOfTheRangeTheErrorBarsAllow() {
        Goal within = new Goal("a", "b", true, 1.5, "a within 1.5× b");
        assertThat(within.verdict(new Result("a", "ns/op", 120, 10.0, "b"), new Result("b", "ns/op", 100, 10.0, null)))
                .as("at most 130 / 90 = 1.44").isEqualTo(Goal.Verdict.MET);
        assertThat(within.verdict(new Result("a", "ns/op", 140, 10.0, "b"), new Result("b", "ns/op", 100, 10.0, null)))
                .as("from 130 / 110 to 150 / 90").isEqualTo(Goal.Verdict.NOT_RESOLVED);
        assertThat(within.verdict(new Result("a", "ns/op", 200, 10.0, "b"), new Result("b", "ns/op", 100, 10.0, null)))
                .as("at least 190 / 110 = 1.73").isEqualTo(Goal.Verdict.MISSED);
        assertThat(within.verdict(new Result("a", "ns/op", 1, 0.1, "b"), new Result("b", "ns/op", 10, 20.0, null)))
                .as("a baseline whose bars reach zero admits any ratio").isEqualTo(Goal.Verdict.NOT_RESOLVED);
        Goal atLeast = new Goal("a", "b", false, 50, "a at least 50× b");
        assertThat(atLeast.verdict(new Result("a", "ns/op", 1000, null, "b"), new Result("b", "ns/op", 10, null, null)))
                .as("figures without errors are exact").isEqualTo(Goal.Verdict.MET);
    }

    @Test
    void theGrownStoresGoalsAreJudgedAgainstThePresizedStoreAndTheirFiguresHaveTheirOwnTable() {
        String md = Markdown.render(run(List.of(
                new Result("map.get.grown", "ns/op", 2400, 100.0, "map.get.presized"),
                new Result("map.get.presized", "ns/op", 2000, 80.0, "map.get"),
                new Result("map.get", "ns/op", 1000, 10.0, "raw.chronicle.get"),
                new Result("map.put.grown", "ns/op", 4000, 100.0, "map.put.presized"),
                new Result("map.put.presized", "ns/op", 2000, 80.0, "map.put"),
                new Result("map.put", "ns/op", 500, 10.0, "raw.chronicle.put"))));

        assertThat(md).contains("| map.get.grown within 1.5× map.get.presized (a million entries) | 2,400 ± 100 vs 2,000 ± 80.0 ns/op | 1.20× | met |");
        assertThat(md).contains("| map.put.grown within 1.5× map.put.presized (a million entries) | 4,000 ± 100 vs 2,000 ± 80.0 ns/op | 2.00× | **missed** |");
        assertThat(md).contains("map.put.grown within 1.5× map.put.presized (a million entries): missed, at 2.00×.");
        assertThat(md).contains("| map.get.presized | 2,000 ± 80.0 | map.get | 1,000 ± 10.0 | 2.00× | ns/op |");
        assertThat(md).contains("The pre-sized figure is 4.00× the one-entry `map.put`")
                .doesNotContain("| map.get.grown | 2,400 ± 100 | ns/op |"); // not in the Jackson breakdown
    }

    @Test
    void idsWithoutFiguresAreListedAsNotMeasuredWithTheReasonRunShGave() {
        Markdown.Run run = new Markdown.Run(List.of(), Map.of("http.increment.rps", "run-workers.sh is not in this checkout"),
                List.of(), "2 cores", "benchmarks/run.sh --quick", "", "1 fork(s)", "benchmarks/latency.png");

        String md = Markdown.render(run);

        assertThat(md).contains("- `http.increment.rps`: run-workers.sh is not in this checkout");
        assertThat(md).contains("- `redis.incr`: not measured");
        assertThat(md).contains("| http.increment.rps | not measured | | | | |");
    }

    @Test
    void aContendedBaselineWhoseHelperDidOtherWorkIsNotCalledAnEqualLoadFloor() {
        Markdown.Run run = new Markdown.Run(List.of(
                new Result("map.update.contended", "ns/op", 3216, 3014.0, "raw.chronicle.rmw.contended"),
                new Result("raw.chronicle.rmw.contended", "ns/op", 1461, 4281.0, null),
                new Result("counter.increment.contended", "ns/op", 26, 85.6, "raw.mmap.getAndAdd.contended"),
                new Result("raw.mmap.getAndAdd.contended", "ns/op", 65.6, 10.1, null)),
                Map.of(), List.of("map.update.contended\t1717197\t8.05", "raw.chronicle.rmw.contended\t5629557\t8.42",
                        "counter.increment.contended\t156705979\t8.07", "raw.mmap.getAndAdd.contended\t160123873\t8.06"),
                "2 cores", "benchmarks/run.sh --quick", "", "1 fork(s)", "benchmarks/latency.png");

        String md = Markdown.render(run);

        assertThat(md).contains("- `map.update.contended` against `raw.chronicle.rmw.contended`: not an equal-load floor."
                + " The baseline's helper did 3.13× the operations of Hearth's (668,593 against 213,316 per second)");
        assertThat(md).contains("- `counter.increment.contended` against `raw.mmap.getAndAdd.contended`: an equal-load floor");
    }

    @Test
    void thePeersTableHasOneRowPerOperationWithEachPeerOverHearthAndSaysWhatWasNotMeasured() {
        String md = Markdown.render(run(List.of(
                new Result("map.get", "ns/op", 10, 0.5, "raw.chronicle.get"),
                new Result("map.get.uncached", "ns/op", 750, 50.0, "raw.chronicle.get"),
                new Result("lmdb.get", "ns/op", 1500, 30.0, "map.get"),
                new Result("sqlite.get", "ns/op", 6000, 100.0, "map.get"),
                new Result("counter.increment.contended", "ns/op", 60, 3.0, "raw.mmap.getAndAdd.contended"),
                new Result("sqlite.counter.increment.contended", "ns/op", 150_000, 9000.0, "counter.increment.contended"))));

        assertThat(md).contains("## Hearth against what you would pick instead")
                .contains("`journal_mode=WAL`,\n`synchronous=OFF`").contains("`MDB_NOSYNC`")
                .contains("`map.get.uncached`, which decodes, is 750 ± 50.0 ns/op");
        assertThat(md).contains("| get (`map.get`) | 10.0 ± 0.500 | 1,500 ± 30.0 | 6,000 ± 100 | 150× | 600× | ns/op |");
        assertThat(md).contains("| counter increment, contended (`counter.increment.contended`) | 60.0 ± 3.00 | not measured"
                + " | 150,000 ± 9,000 | — | 2,500× | ns/op |");
        assertThat(md).contains("| put (`map.put`) | not measured | not measured | not measured | — | — |  |");
        assertThat(md).contains("- `lmdb.put`: not measured").doesNotContain("| lmdb.get | 1,500 ± 30.0 | ns/op |");
    }

    @Test
    void everyPeerBenchmarkIsARowOfThePeersTableWithItsHearthIdAsBaseline() {
        Map<String, String> baselines = new java.util.HashMap<>();
        for (java.lang.reflect.Method method : io.hearth.bench.PeerBenchmarks.class.getMethods()) {
            Id id = method.getAnnotation(Id.class);
            if (id != null) {
                baselines.put(id.value(), id.baseline());
            }
        }
        Map<String, String> rows = new java.util.HashMap<>();
        Markdown.PEER_ROWS.forEach(row -> {
            rows.put(row.lmdb(), row.hearth());
            rows.put(row.sqlite(), row.hearth());
        });

        assertThat(baselines).hasSize(12).isEqualTo(rows);
        assertThat(Report.REQUIRED).containsAll(rows.keySet()).containsAll(rows.values());
    }

    @Test
    void aContendedPeerIsComparedWithHearthsHelperRateNotCalledAFloor() {
        Markdown.Run run = new Markdown.Run(List.of(
                new Result("map.update.contended", "ns/op", 3000, 300.0, "raw.chronicle.rmw.contended"),
                new Result("lmdb.update.contended", "ns/op", 30_000, 3000.0, "map.update.contended")),
                Map.of(), List.of("map.update.contended\t2000000\t10.0", "lmdb.update.contended\t500000\t10.0"),
                "2 cores", "benchmarks/run.sh --quick", "", "1 fork(s)", "benchmarks/latency.png");

        String md = Markdown.render(run);

        assertThat(md).contains("- `lmdb.update.contended` against `map.update.contended`: Hearth's helper did 4.00× the operations"
                + " of this one's (200,000 against 50,000 per second)").doesNotContain("`lmdb.update.contended` against `map.update.contended`: not an");
    }

    @Test
    void theReadmesPerformanceTableIsTheOneTheReportMakesFromTheCommittedResults() throws Exception {
        List<Result> results = JSON.readValue(java.nio.file.Path.of("results.json").toFile(),
                new com.fasterxml.jackson.core.type.TypeReference<List<Result>>() { });
        String readme = java.nio.file.Files.readString(java.nio.file.Path.of("..", "README.md"));

        String section = readme.substring(readme.indexOf(ReadmeSummary.BEGIN), readme.indexOf(ReadmeSummary.END));

        assertThat(section).as("README.md's generated performance table; benchmarks/run.sh remakes it")
                .contains(ReadmeSummary.table(results));
    }

    @Test
    void splicingReplacesOnlyWhatLiesBetweenTheMarkersAndRefusesATextWithoutThem() {
        String readme = "# X\n" + ReadmeSummary.BEGIN + "\nold\n" + ReadmeSummary.END + "\nafter\n";

        assertThat(ReadmeSummary.splice(readme, ReadmeSummary.BEGIN + "\nnew\n" + ReadmeSummary.END))
                .isEqualTo("# X\n" + ReadmeSummary.BEGIN + "\nnew\n" + ReadmeSummary.END + "\nafter\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ReadmeSummary.splice("# X\n", "s"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(ReadmeSummary.BEGIN);
    }

    private static Markdown.Run run(List<Result> results) {
        return new Markdown.Run(new ArrayList<>(results), Map.of(), List.of(), "2 cores", "benchmarks/run.sh --quick", "",
                "1 fork(s)", "benchmarks/latency.png");
    }

    private static Id id(String value, String baseline) {
        return new Id() {
            @Override
            public String value() {
                return value;
            }

            @Override
            public String baseline() {
                return baseline;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return Id.class;
            }
        };
    }
}
