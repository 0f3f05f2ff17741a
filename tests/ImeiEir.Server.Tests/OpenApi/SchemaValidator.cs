using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace ImeiEir.Server.Tests.OpenApi;

/// <summary>
/// Validates a JSON value against an OpenAPI 3.0 schema object, for the keywords 3GPP's data types use: <c>$ref</c>
/// (across files), <c>type</c>, <c>nullable</c>, <c>enum</c>, <c>pattern</c>, <c>minLength</c>/<c>maxLength</c>,
/// <c>minimum</c>/<c>maximum</c>, <c>properties</c>, <c>required</c>, <c>additionalProperties</c>, <c>items</c>,
/// <c>minItems</c>/<c>maxItems</c>, <c>allOf</c>/<c>anyOf</c>/<c>oneOf</c>/<c>not</c>. A keyword it does not know is
/// reported as a problem rather than passed over, so a schema it cannot judge never passes silently.
/// </summary>
internal sealed class SchemaValidator(OpenApiDocuments documents)
{
    // What only documents a schema (OpenAPI 3.0 §4.7.24); "format" is an annotation unless a tool asserts it.
    private static readonly HashSet<string> Annotations =
        ["description", "title", "format", "example", "deprecated", "readOnly", "writeOnly", "default", "externalDocs", "discriminator", "xml"];

    /// <summary>Every way <paramref name="value"/> breaks <paramref name="schema"/> (in <paramref name="file"/>); empty when valid.</summary>
    public List<string> Validate(string file, YamlNode schema, JsonElement value)
    {
        var problems = new List<string>();
        Check(file, schema, value, "$", problems);
        return problems;
    }

    private void Check(string file, YamlNode schemaNode, JsonElement value, string at, List<string> problems)
    {
        (file, schemaNode) = documents.Dereference(file, schemaNode);
        if (schemaNode is not YamlMappingNode schema)
        {
            problems.Add($"{at}: schema in {file} is not an object");
            return;
        }
        if (value.ValueKind == JsonValueKind.Null && Scalar(schema, "nullable") == "true")
            return;
        foreach ((YamlNode keyNode, YamlNode node) in schema.Children)
        {
            string key = ((YamlScalarNode)keyNode).Value!;
            switch (key)
            {
                case "type":
                    if (!IsOfType(value, Text(node)))
                        problems.Add($"{at}: {Describe(value)} is not of type {Text(node)}");
                    break;
                case "nullable":
                    break; // handled above
                case "enum":
                    if (!((YamlSequenceNode)node).Children.Any(option => value.ValueKind == JsonValueKind.String && value.GetString() == Text(option)))
                        problems.Add($"{at}: {Describe(value)} is not one of {string.Join(", ", ((YamlSequenceNode)node).Children.Select(Text))}");
                    break;
                case "pattern":
                    if (value.ValueKind == JsonValueKind.String && !Regex.IsMatch(value.GetString()!, Text(node)))
                        problems.Add($"{at}: {Describe(value)} does not match {Text(node)}");
                    break;
                case "minLength":
                    if (value.ValueKind == JsonValueKind.String && value.GetString()!.Length < Number(node))
                        problems.Add($"{at}: {Describe(value)} is shorter than {Text(node)}");
                    break;
                case "maxLength":
                    if (value.ValueKind == JsonValueKind.String && value.GetString()!.Length > Number(node))
                        problems.Add($"{at}: {Describe(value)} is longer than {Text(node)}");
                    break;
                case "minimum":
                    if (value.ValueKind == JsonValueKind.Number && value.GetDouble() < Number(node))
                        problems.Add($"{at}: {Describe(value)} is below {Text(node)}");
                    break;
                case "maximum":
                    if (value.ValueKind == JsonValueKind.Number && value.GetDouble() > Number(node))
                        problems.Add($"{at}: {Describe(value)} is above {Text(node)}");
                    break;
                case "required":
                    if (value.ValueKind == JsonValueKind.Object)
                        foreach (string name in ((YamlSequenceNode)node).Children.Select(Text))
                            if (!value.TryGetProperty(name, out _))
                                problems.Add($"{at}: required property {name} is missing");
                    break;
                case "properties":
                    if (value.ValueKind == JsonValueKind.Object)
                        foreach ((YamlNode name, YamlNode propertySchema) in ((YamlMappingNode)node).Children)
                            if (value.TryGetProperty(Text(name), out JsonElement property))
                                Check(file, propertySchema, property, $"{at}.{Text(name)}", problems);
                    break;
                case "additionalProperties":
                    if (value.ValueKind == JsonValueKind.Object)
                        CheckAdditional(file, schema, node, value, at, problems);
                    break;
                case "items":
                    if (value.ValueKind == JsonValueKind.Array)
                    {
                        int index = 0;
                        foreach (JsonElement item in value.EnumerateArray())
                            Check(file, node, item, $"{at}[{index++}]", problems);
                    }
                    break;
                case "minItems":
                    if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() < Number(node))
                        problems.Add($"{at}: {value.GetArrayLength()} items, fewer than {Text(node)}");
                    break;
                case "maxItems":
                    if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > Number(node))
                        problems.Add($"{at}: {value.GetArrayLength()} items, more than {Text(node)}");
                    break;
                case "allOf":
                    foreach (YamlNode part in ((YamlSequenceNode)node).Children)
                        Check(file, part, value, at, problems);
                    break;
                case "anyOf":
                case "oneOf":
                {
                    int matches = ((YamlSequenceNode)node).Children.Count(part => Validate(file, part, value).Count == 0);
                    if (matches == 0 || (key == "oneOf" && matches > 1))
                        problems.Add($"{at}: {Describe(value)} matches {matches} of the {key} schemas");
                    break;
                }
                case "not":
                    if (Validate(file, node, value).Count == 0)
                        problems.Add($"{at}: {Describe(value)} matches a schema it must not");
                    break;
                default:
                    if (!Annotations.Contains(key) && !key.StartsWith("x-", StringComparison.Ordinal))
                        problems.Add($"{at}: the schema uses '{key}', which this validator does not judge");
                    break;
            }
        }
    }

    private void CheckAdditional(string file, YamlMappingNode schema, YamlNode additional, JsonElement value, string at, List<string> problems)
    {
        var declared = schema.Children.TryGetValue(new YamlScalarNode("properties"), out YamlNode? properties)
            ? ((YamlMappingNode)properties).Children.Keys.Select(Text).ToHashSet(StringComparer.Ordinal)
            : [];
        foreach (JsonProperty property in value.EnumerateObject().Where(p => !declared.Contains(p.Name)))
        {
            if (additional is YamlScalarNode { Value: "false" })
                problems.Add($"{at}: property {property.Name} is not allowed");
            else if (additional is YamlMappingNode)
                Check(file, additional, property.Value, $"{at}.{property.Name}", problems);
        }
    }

    private static bool IsOfType(JsonElement value, string type) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        _ => throw new InvalidOperationException($"unknown OpenAPI type {type}"),
    };

    private static string? Scalar(YamlMappingNode schema, string key) =>
        schema.Children.TryGetValue(new YamlScalarNode(key), out YamlNode? node) ? Text(node) : null;

    private static string Text(YamlNode node) => ((YamlScalarNode)node).Value ?? "";

    private static double Number(YamlNode node) => double.Parse(Text(node), CultureInfo.InvariantCulture);

    private static string Describe(JsonElement value) => value.GetRawText() is { Length: > 60 } raw ? raw[..60] + "…" : value.GetRawText();
}
