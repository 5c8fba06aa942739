using System.Text.Json;
using System.Text.Json.Serialization;

namespace OutlookFollowUp.Engine;

/// <summary>The JSON form of scenarios and plans: Graph's camelCase, nulls left out, unknown Graph fields ignored.</summary>
public static class PlanJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary>Reads a scenario; malformed JSON becomes a one-line <see cref="PlanInputException"/>.</summary>
    public static PlanInput ReadScenario(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<PlanInput>(json, Options) ?? throw new PlanInputException("the scenario is empty (null)");
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, column {e.BytePositionInLine + 1}" : "";
            var what = e.Path is { Length: > 1 } path ? $" ({path})" : "";
            throw new PlanInputException($"the scenario is not valid JSON{where}{what}: {FirstLine(e.Message)}");
        }
    }

    public static string Write(Plan plan) => JsonSerializer.Serialize(plan, Options);

    private static string FirstLine(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        var text = cut > 0 ? message[..cut] : message;
        return text.Split('\n')[0].Trim();
    }
}
