using OutlookFollowUp.Api.Spelling;
using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Tests;

/// <summary>
/// Golden tests: every scenario in tests/scenarios has its expected plan in tests/scenarios/expected. A change in a
/// plan is a change in what users get: review the diff, then rewrite with UPDATE_GOLDEN=1.
/// </summary>
public sealed class GoldenScenarioTests : IDisposable
{
    private static readonly string Folder = Path.Combine(Report.FindRoot(), "tests", "scenarios");
    private readonly HunspellSpellChecker _hunspell =
        HunspellSpellChecker.TryOpen(new SpellingOptions(), out var why) ?? throw new InvalidOperationException($"Hunspell is required: {why}");

    public void Dispose() => _hunspell.Dispose();

    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Folder, "*.json").Order(StringComparer.Ordinal)) data.Add(Path.GetFileNameWithoutExtension(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void ThePlanMatchesTheExpectedPlan(string scenario)
    {
        var plan = Planner.Build(PlanJson.ReadScenario(File.ReadAllText(Path.Combine(Folder, scenario + ".json"))), _hunspell);
        var actual = PlanJson.Write(plan) + "\n";
        var expectedPath = Path.Combine(Folder, "expected", scenario + ".plan.json");
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(expectedPath)!);
            File.WriteAllText(expectedPath, actual);
        }
        Assert.True(File.Exists(expectedPath), $"no expected plan for {scenario}: run with UPDATE_GOLDEN=1 and review it");
        Assert.Equal(File.ReadAllText(expectedPath), actual);
    }

    [Fact]
    public void ThereAreAtLeastThirtyScenariosAndEveryRuleHasOne()
    {
        var names = Directory.GetFiles(Folder, "*.json").Select(Path.GetFileName).ToList();
        Assert.True(names.Count >= 30, $"{names.Count} scenarios");
        // R11 (invariants) and R14 (never send) hold over every scenario and have their own tests.
        foreach (var rule in new[] { "r00", "r01", "r02", "r03", "r04", "r05", "r06", "r07", "r08", "r09", "r10", "r12", "r13" })
            Assert.Contains(names, n => n!.StartsWith(rule + "-", StringComparison.Ordinal));
        Assert.All(Directory.GetFiles(Path.Combine(Folder, "expected")), f => Assert.Contains(Path.GetFileName(f).Replace(".plan.json", ".json"), names));
    }

    [Fact]
    public void NoGoldenPlanEverSendsMail()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(Folder, "expected")))
        {
            // No property of a plan is an instruction to send: the vocabulary is drafts and reminders only.
            var text = File.ReadAllText(file);
            Assert.DoesNotMatch("\"[a-zA-Z]*[sS]end[a-zA-Z]*\":", text);
            Assert.DoesNotContain("sendMail", text);
        }
    }
}
