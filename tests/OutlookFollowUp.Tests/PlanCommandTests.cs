using System.Text.Json.Nodes;
using OutlookFollowUp.Api.Cli;
using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Tests;

/// <summary>`dotnet run --project api -- plan FILE`: the plan as JSON, or one clear line and exit code 2.</summary>
public class PlanCommandTests
{
    private static readonly string Sample = Path.Combine(Report.FindRoot(), "api", "samples", "scenario.json");

    private static (int Code, string Out, string Err) Run(string[] args, string stdin = "")
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = PlanCommand.Run(args, new StringReader(stdin), output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void PlanPrintsThePlanOfTheSampleScenario()
    {
        var (code, output, _) = Run(["plan", Sample]);
        Assert.Equal(0, code);
        var plan = JsonNode.Parse(output)!;
        Assert.Equal("thank-you", plan["process"]!["state"]!.GetValue<string>());
        Assert.Equal(3, plan["steps"]!.AsArray().Count(s => s!["kind"]!.GetValue<string>() == "thank-you"));
    }

    [Fact]
    public void ADashReadsTheScenarioFromStandardInput()
    {
        var (code, output, _) = Run(["plan", "-"], File.ReadAllText(Sample));
        Assert.Equal(0, code);
        Assert.Contains("\"engineVersion\": \"1\"", output);
    }

    [Theory]
    [InlineData("{ not json", "not valid JSON at line 1")]
    [InlineData("null", "the scenario is empty")]
    [InlineData("{\"now\": 5}", "not valid JSON")]
    [InlineData("{\"now\": \"2026-03-10T19:00:00Z\"}", "'user' is missing")]
    public void BadInputIsOneClearLineAndExitCodeTwo(string scenario, string expected)
    {
        var (code, output, error) = Run(["plan", "-"], scenario);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("error: ", error);
        Assert.Contains(expected, error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void AMissingEndTimeIsNamed()
    {
        var json = JsonNode.Parse(File.ReadAllText(Sample))!;
        json["events"]![0]!.AsObject().Remove("end");
        var (code, _, error) = Run(["plan", "-"], json.ToJsonString());
        Assert.Equal(2, code);
        Assert.Equal("error: event 'AAMkAGI2TG93AAA=' end is missing\n", error.Replace("\r", ""));
    }

    [Fact]
    public void AnUnknownTimeZoneIsNamed()
    {
        var json = JsonNode.Parse(File.ReadAllText(Sample))!;
        json["user"]!["timeZone"] = "Mars/Olympus_Mons";
        var (code, _, error) = Run(["plan", "-"], json.ToJsonString());
        Assert.Equal(2, code);
        Assert.Contains("unknown time zone 'Mars/Olympus_Mons'", error);
    }

    [Fact]
    public void AMissingFileAndWrongArgumentsAreOneLineAndExitCodeTwo()
    {
        var (code, _, error) = Run(["plan", "/no/such/scenario.json"]);
        Assert.Equal(2, code);
        Assert.StartsWith("error: cannot read /no/such/scenario.json", error);
        Assert.Equal(2, Run(["plan"]).Code);
        Assert.Equal(2, Run(["plan", "a.json", "b.json"]).Code);
    }

    /// <summary>
    /// Corrupts the sample scenario a thousand ways (fields removed, nulled, given the wrong type or odd values): the
    /// engine either plans or says what is wrong in one line; it never fails any other way.
    /// </summary>
    [Fact]
    public void NoCorruptionOfAScenarioCrashesTheEngine()
    {
        var original = JsonNode.Parse(File.ReadAllText(Sample))!;
        var random = new Random(20261122);
        JsonNode?[] odd = [null, "", "x", 0, -1, 1e300, true, new JsonArray(), new JsonObject(), "9999-12-31T23:59:59Z", "0001-01-01T00:00:00", "<img src=x onerror=alert(1)>"];
        for (var i = 0; i < 1000; i++)
        {
            var json = original.DeepClone();
            for (var edits = 1 + random.Next(3); edits > 0; edits--) Corrupt(json, random, odd);
            var text = json.ToJsonString();
            try
            {
                Planner.Build(PlanJson.ReadScenario(text));
            }
            catch (PlanInputException e)
            {
                Assert.DoesNotContain('\n', e.Message);
            }
            catch (Exception e)
            {
                var saved = Path.Combine(Report.FindRoot(), "artifacts", $"crash-{i}.json");
                Directory.CreateDirectory(Path.GetDirectoryName(saved)!);
                File.WriteAllText(saved, text);
                Assert.Fail($"corruption {i} crashed with {e.GetType().Name}: {e.Message} (input saved to {saved})\n{e.StackTrace}");
            }
        }
    }

    private static void Corrupt(JsonNode root, Random random, JsonNode?[] odd)
    {
        var nodes = new List<(JsonNode Parent, object Key)>();
        void Walk(JsonNode node)
        {
            if (node is JsonObject o)
                foreach (var (k, v) in o) { nodes.Add((o, k)); if (v is not null) Walk(v); }
            else if (node is JsonArray a)
                for (var i = 0; i < a.Count; i++) { nodes.Add((a, i)); if (a[i] is { } v) Walk(v); }
        }
        Walk(root);
        var (parent, key) = nodes[random.Next(nodes.Count)];
        var value = odd[random.Next(odd.Length)]?.DeepClone();
        if (parent is JsonObject obj)
        {
            if (random.Next(3) == 0) obj.Remove((string)key); else obj[(string)key] = value;
        }
        else if (parent is JsonArray arr)
        {
            arr[(int)key] = value;
        }
    }
}
