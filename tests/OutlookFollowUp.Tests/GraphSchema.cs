using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace OutlookFollowUp.Tests;

/// <summary>
/// Graph's v1.0 schema (../shared/graph-metadata/v1.0-Prod.csdl) as a checker of JSON: every property of an object
/// must be one its entity or complex type (or a base type) defines, of the right JSON kind; enum values must be
/// members (without regard to case, as Graph reads them; flags as comma lists); "@odata" annotations are allowed.
/// </summary>
public sealed class GraphSchema
{
    private sealed record TypeInfo(string Name, string? Base, Dictionary<string, string> Properties, bool IsEnum, HashSet<string> Members);

    private readonly Dictionary<string, TypeInfo> _types = new(StringComparer.Ordinal);

    public static readonly Lazy<GraphSchema> V1 = new(() => new GraphSchema(Path.Combine(Path.GetDirectoryName(Report.FindRoot())!, "shared", "graph-metadata", "v1.0-Prod.csdl")));

    private GraphSchema(string path)
    {
        var doc = XDocument.Load(path);
        foreach (var schema in doc.Descendants().Where(e => e.Name.LocalName == "Schema" && (string?)e.Attribute("Namespace") == "microsoft.graph"))
        foreach (var t in schema.Elements())
        {
            var name = (string?)t.Attribute("Name");
            if (name is null) continue;
            switch (t.Name.LocalName)
            {
                case "EntityType" or "ComplexType":
                    var properties = t.Elements().Where(p => p.Name.LocalName is "Property" or "NavigationProperty")
                        .ToDictionary(p => (string)p.Attribute("Name")!, p => (string)p.Attribute("Type")!, StringComparer.Ordinal);
                    _types[name] = new TypeInfo(name, ((string?)t.Attribute("BaseType"))?.Replace("graph.", ""), properties, false, []);
                    break;
                case "EnumType":
                    _types[name] = new TypeInfo(name, null, [], true,
                        t.Elements().Where(m => m.Name.LocalName == "Member").Select(m => (string)m.Attribute("Name")!).ToHashSet(StringComparer.OrdinalIgnoreCase));
                    break;
            }
        }
    }

    public bool Knows(string typeName) => _types.ContainsKey(typeName);

    /// <summary>What in <paramref name="node"/> Graph's <paramref name="typeName"/> (or "Collection(...)") does not allow.</summary>
    public List<string> Check(JsonNode? node, string typeName, string path = "$")
    {
        var findings = new List<string>();
        CheckValue(node, typeName.Replace("graph.", ""), path, findings);
        return findings;
    }

    private void CheckValue(JsonNode? node, string type, string path, List<string> findings)
    {
        if (node is null) return; // Graph's properties are nullable unless said otherwise; nulls are not checked here
        if (type.StartsWith("Collection(", StringComparison.Ordinal))
        {
            if (node is not JsonArray array) { findings.Add($"{path}: {Kind(node)} where Graph has a collection of {type[11..^1]}"); return; }
            for (var i = 0; i < array.Count; i++) CheckValue(array[i], type[11..^1].Replace("graph.", ""), $"{path}[{i}]", findings);
            return;
        }
        if (type.StartsWith("Edm.", StringComparison.Ordinal))
        {
            var ok = type switch
            {
                "Edm.String" or "Edm.Binary" or "Edm.Guid" or "Edm.Duration" or "Edm.TimeOfDay" or "Edm.Date" => node.GetValueKind() == JsonValueKind.String,
                "Edm.DateTimeOffset" => node.GetValueKind() == JsonValueKind.String
                                        && DateTimeOffset.TryParse((string)node!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _),
                "Edm.Boolean" => node.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
                "Edm.Int32" or "Edm.Int64" or "Edm.Int16" or "Edm.Byte" => node.GetValueKind() == JsonValueKind.Number,
                "Edm.Double" or "Edm.Single" or "Edm.Decimal" => node.GetValueKind() == JsonValueKind.Number
                                                              || node.GetValueKind() == JsonValueKind.String && (string)node! is "NaN" or "INF" or "-INF",
                _ => true,
            };
            if (!ok) findings.Add($"{path}: {Kind(node)} where Graph has {type}");
            return;
        }
        if (!_types.TryGetValue(type, out var info)) return; // another namespace's type: not checked
        if (info.IsEnum)
        {
            if (node.GetValueKind() != JsonValueKind.String) { findings.Add($"{path}: {Kind(node)} where Graph has the enum {type}"); return; }
            foreach (var member in ((string)node!).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                if (!info.Members.Contains(member)) findings.Add($"{path}: \"{member}\" is not a member of {type}");
            return;
        }
        if (node is not JsonObject obj) { findings.Add($"{path}: {Kind(node)} where Graph has the type {type}"); return; }
        // A derived type says so in @odata.type ("#microsoft.graph.eventMessage").
        if ((string?)obj["@odata.type"] is { } declared && declared.TrimStart('#').Replace("microsoft.graph.", "", StringComparison.OrdinalIgnoreCase) is var derived
            && _types.ContainsKey(derived))
            info = _types[derived];
        foreach (var (key, value) in obj)
        {
            if (key.StartsWith('@') || key.Contains('@')) continue; // annotations: @odata.context, @odata.etag, x@odata.type...
            if (PropertyType(info, key) is { } propertyType) CheckValue(value, propertyType.Replace("graph.", ""), $"{path}.{key}", findings);
            else findings.Add($"{path}.{key}: Graph's {info.Name} has no such property");
        }
    }

    private string? PropertyType(TypeInfo info, string name)
    {
        for (var t = info; t is not null; t = t.Base is { } b && _types.TryGetValue(b, out var bt) ? bt : null)
            if (t.Properties.TryGetValue(name, out var type)) return type;
        return null;
    }

    private static string Kind(JsonNode node) => node.GetValueKind().ToString().ToLowerInvariant();
}
