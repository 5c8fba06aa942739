using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace OutlookFollowUp.GraphSandbox;

/// <summary>A filter the sandbox does not understand: answered as Graph does, with a 400.</summary>
public sealed class FilterException(string message) : Exception(message);

/// <summary>
/// The part of OData $filter the product uses: comparisons on property paths (eq ne gt ge lt le), and, or, not,
/// parentheses, and any() over collections such as singleValueExtendedProperties.
/// </summary>
public static partial class ODataFilter
{
    [System.Text.RegularExpressions.GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d(:\d\d)?$", System.Text.RegularExpressions.RegexOptions.NonBacktracking | System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex DateTimePrefix();

    public static Func<JsonObject, bool> Parse(string text)
    {
        var parser = new Parser(Tokenize(text));
        var predicate = parser.Expression();
        if (!parser.AtEnd) throw new FilterException($"Invalid filter clause: unexpected '{parser.Peek}'.");
        return item => predicate(item, null);
    }

    private delegate bool Predicate(JsonObject item, (string Name, JsonNode? Value)? variable);

    private sealed class Parser(List<string> tokens)
    {
        private int _at;
        public bool AtEnd => _at >= tokens.Count;
        public string Peek => AtEnd ? "" : tokens[_at];
        private string Next() => AtEnd ? throw new FilterException("Invalid filter clause: unexpected end.") : tokens[_at++];
        private bool Accept(string token)
        {
            if (!AtEnd && string.Equals(tokens[_at], token, StringComparison.OrdinalIgnoreCase)) { _at++; return true; }
            return false;
        }
        private void Expect(string token)
        {
            if (!Accept(token)) throw new FilterException($"Invalid filter clause: expected '{token}' but found '{Peek}'.");
        }

        public Predicate Expression()
        {
            var left = And();
            while (Accept("or")) { var l = left; var r = And(); left = (i, v) => l(i, v) || r(i, v); }
            return left;
        }

        private Predicate And()
        {
            var left = Unary();
            while (Accept("and")) { var l = left; var r = Unary(); left = (i, v) => l(i, v) && r(i, v); }
            return left;
        }

        private Predicate Unary()
        {
            if (Accept("not")) { var inner = Unary(); return (i, v) => !inner(i, v); }
            if (Accept("(")) { var inner = Expression(); Expect(")"); return inner; }
            var path = Next();
            if (path.ToLowerInvariant() is "contains" or "startswith" or "endswith" && Peek == "(")
            {
                var function = path.ToLowerInvariant();
                Expect("(");
                var argument = Next();
                Expect(",");
                var needle = Literal(Next()) as string ?? throw new FilterException($"Invalid filter clause: {function} takes a string.");
                Expect(")");
                return (item, variable) => Resolve(item, variable, argument) is JsonValue v && v.TryGetValue<string>(out var text) && function switch
                {
                    "contains" => text.Contains(needle, StringComparison.OrdinalIgnoreCase),
                    "startswith" => text.StartsWith(needle, StringComparison.OrdinalIgnoreCase),
                    _ => text.EndsWith(needle, StringComparison.OrdinalIgnoreCase),
                };
            }
            if (path.Equals("cast", StringComparison.OrdinalIgnoreCase) && Peek == "(")
            {
                // Extended property values are strings; cast(ep/value, Edm.Int32) compares them as the named type.
                Expect("(");
                var argument = Next();
                Expect(",");
                var type = Next();
                Expect(")");
                var castOp = Next().ToLowerInvariant();
                if (castOp is not ("eq" or "ne" or "gt" or "ge" or "lt" or "le")) throw new FilterException($"Invalid filter clause: unsupported operator '{castOp}'.");
                var castLiteral = LiteralOrParenthesized();
                return (item, variable) =>
                {
                    var raw = Resolve(item, variable, argument)?.ToString();
                    JsonNode? converted = type.ToLowerInvariant() switch
                    {
                        "edm.int32" or "edm.int64" or "edm.double" when double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) => JsonValue.Create(n),
                        "edm.boolean" when bool.TryParse(raw, out var b) => JsonValue.Create(b),
                        _ => raw is null ? null : JsonValue.Create(raw),
                    };
                    return Compare(converted, castOp, castLiteral);
                };
            }
            if (path.EndsWith("/any", StringComparison.OrdinalIgnoreCase))
            {
                var collection = path[..^4];
                Expect("(");
                var name = Next();
                Expect(":");
                var body = Expression();
                Expect(")");
                return (item, variable) => Resolve(item, variable, collection) is JsonArray array
                                           && array.Any(element => body(item, (name, element)));
            }
            var op = Next().ToLowerInvariant();
            if (op is not ("eq" or "ne" or "gt" or "ge" or "lt" or "le")) throw new FilterException($"Invalid filter clause: unsupported operator '{op}'.");
            var literal = Literal(Next());
            return (item, variable) => Compare(Resolve(item, variable, path), op, literal);
        }

        /// <summary>A value, or a GUID written in parentheses as the docs do: eq (b9cf8971-...).</summary>
        private object? LiteralOrParenthesized()
        {
            if (!Accept("(")) return Literal(Next());
            var inner = Next();
            Expect(")");
            return Guid.TryParse(inner, out _) ? inner : Literal(inner);
        }

        private static object? Literal(string token)
        {
            if (Guid.TryParse(token, out _)) return token;
            if (token.StartsWith('\'')) return token[1..^1].Replace("''", "'");
            if (token.Equals("null", StringComparison.OrdinalIgnoreCase)) return null;
            if (bool.TryParse(token, out var b)) return b;
            if (DateTimeOffset.TryParse(token, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) && token.Contains('-')) return d;
            if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var n)) return n;
            throw new FilterException($"Invalid filter clause: '{token}' is not a value.");
        }
    }

    private static JsonNode? Resolve(JsonObject item, (string Name, JsonNode? Value)? variable, string path)
    {
        var parts = path.Split('/');
        JsonNode? node = item;
        var start = 0;
        if (variable is { } v && string.Equals(parts[0], v.Name, StringComparison.Ordinal)) { node = v.Value; start = 1; }
        for (var i = start; i < parts.Length && node is not null; i++)
        {
            if (node is not JsonObject obj) return null;
            // OData property names are matched without regard to case (ep/Id and ep/id are one property).
            node = obj.FirstOrDefault(kv => string.Equals(kv.Key, parts[i], StringComparison.OrdinalIgnoreCase)).Value;
        }
        return node;
    }

    private static bool Compare(JsonNode? value, string op, object? literal)
    {
        int? order = (value, literal) switch
        {
            (null, null) => 0,
            (null, _) or (_, null) => null,
            (JsonValue v, string s) when v.TryGetValue<string>(out var t) && DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var td)
                                          && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var sd) && s.Contains('-') && s.Length >= 10
                => td.CompareTo(sd),
            (JsonValue v, string s) when v.TryGetValue<string>(out var t) => string.Compare(t, s, StringComparison.OrdinalIgnoreCase),
            (JsonValue v, DateTimeOffset d) when v.TryGetValue<string>(out var t) && DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var td) => td.CompareTo(d),
            (JsonValue v, bool b) when v.TryGetValue<bool>(out var t) => t == b ? 0 : 1,
            (JsonValue v, double n) when v.TryGetValue<double>(out var t) => t.CompareTo(n),
            _ => null,
        };
        return op switch
        {
            "eq" => order == 0,
            "ne" => order != 0,
            "gt" => order > 0,
            "ge" => order >= 0,
            "lt" => order < 0,
            "le" => order <= 0,
            _ => false,
        };
    }

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c is '(' or ')' or ':' or ',')
            {
                tokens.Add(c.ToString());
                i++;
                continue;
            }
            if (c == '\'')
            {
                var sb = new StringBuilder("'");
                i++;
                while (true)
                {
                    if (i >= text.Length) throw new FilterException("Invalid filter clause: unterminated string.");
                    if (text[i] == '\'' && i + 1 < text.Length && text[i + 1] == '\'') { sb.Append("''"); i += 2; continue; }
                    if (text[i] == '\'') { i++; break; }
                    sb.Append(text[i++]);
                }
                tokens.Add(sb.Append('\'').ToString());
                continue;
            }
            var start = i;
            // A colon separates any(ep: ...) from its body, but belongs to a date-time literal (2026-03-01T10:00:00Z).
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('(' or ')' or ',' or '\'')
                   && (text[i] != ':' || DateTimePrefix().IsMatch(text[start..i]))) i++;
            tokens.Add(text[start..i]);
        }
        return tokens;
    }
}
