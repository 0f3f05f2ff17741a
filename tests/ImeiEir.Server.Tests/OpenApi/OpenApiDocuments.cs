using YamlDotNet.RepresentationModel;

namespace ImeiEir.Server.Tests.OpenApi;

/// <summary>
/// 3GPP's OpenAPI files in this directory, loaded on demand, and the JSON references between them
/// (<c>#/components/schemas/X</c> within a file, <c>TS29571_CommonData.yaml#/components/schemas/X</c> across files).
/// </summary>
internal sealed class OpenApiDocuments(string directory)
{
    private readonly Dictionary<string, YamlMappingNode> _roots = new(StringComparer.Ordinal);

    public static OpenApiDocuments InTestOutput() => new(Path.Combine(TestContext.CurrentContext.TestDirectory, "OpenApi"));

    /// <summary>The root mapping of <paramref name="file"/> (a name in this directory).</summary>
    public YamlMappingNode Root(string file)
    {
        if (_roots.TryGetValue(file, out YamlMappingNode? root))
            return root;
        string path = Path.Combine(directory, file);
        if (!File.Exists(path))
            throw new FileNotFoundException($"OpenAPI file {file} is not kept under tests/ImeiEir.Server.Tests/OpenApi", path);
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
            stream.Load(reader);
        root = (YamlMappingNode)stream.Documents[0].RootNode;
        _roots[file] = root;
        return root;
    }

    /// <summary>Follows <paramref name="reference"/> made in <paramref name="file"/>; returns the node and the file it is in.</summary>
    public (string File, YamlNode Node) Resolve(string file, string reference)
    {
        int hash = reference.IndexOf('#', StringComparison.Ordinal);
        string target = hash switch
        {
            0 => file,
            > 0 => reference[..hash],
            _ => reference,
        };
        string pointer = hash >= 0 ? reference[(hash + 1)..] : "";
        YamlNode node = Root(target);
        foreach (string segment in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            string key = segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out YamlNode? child))
                throw new InvalidOperationException($"{reference} (from {file}) does not resolve: no '{key}'");
            node = child;
        }
        return (target, node);
    }

    /// <summary>Follows <c>$ref</c> until the node is not a reference.</summary>
    public (string File, YamlNode Node) Dereference(string file, YamlNode node)
    {
        for (int hops = 0; node is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode("$ref"), out YamlNode? reference); hops++)
        {
            if (hops > 32) throw new InvalidOperationException($"$ref cycle at {reference} in {file}");
            (file, node) = Resolve(file, ((YamlScalarNode)reference).Value!);
        }
        return (file, node);
    }

    /// <summary>
    /// The schema of the answer with status <paramref name="status"/> and media type <paramref name="mediaType"/> to
    /// operation <paramref name="method"/> <paramref name="path"/> of <paramref name="file"/>; throws when the operation
    /// documents no such answer.
    /// </summary>
    public (string File, YamlNode Schema) ResponseSchema(string file, string path, string method, int status, string mediaType)
    {
        var responses = (YamlMappingNode)Resolve(file, $"#/paths/{path.Replace("/", "~1", StringComparison.Ordinal)}/{method}/responses").Node;
        string code = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!responses.Children.TryGetValue(new YamlScalarNode(code), out YamlNode? response))
            throw new AssertionException($"{method.ToUpperInvariant()} {path} documents no {code} answer in {file}");
        (string responseFile, YamlNode resolved) = Dereference(file, response);
        var content = (YamlMappingNode)((YamlMappingNode)resolved)["content"];
        if (!content.Children.TryGetValue(new YamlScalarNode(mediaType), out YamlNode? media))
            throw new AssertionException($"{code} of {method.ToUpperInvariant()} {path} is documented as {string.Join(", ", content.Children.Keys)}, not {mediaType}");
        return (responseFile, ((YamlMappingNode)media)["schema"]);
    }
}
