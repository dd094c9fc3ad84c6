using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DocStore.Chart.Tests;

/// <summary>The chart's files, read from the repository, and YAML turned into JSON the way Helm reads it.</summary>
internal static partial class Chart
{
    public static string Directory { get; } = Path.Combine(FindRoot(), "charts", "docstore");

    public static string ValuesText => File.ReadAllText(Path.Combine(Directory, "values.yaml"));

    public static string SchemaText => File.ReadAllText(Path.Combine(Directory, "values.schema.json"));

    /// <summary>Every file under templates/, by file name.</summary>
    public static IReadOnlyDictionary<string, string> Templates { get; } =
        System.IO.Directory.GetFiles(Path.Combine(Directory, "templates"))
            .ToDictionary(path => Path.GetFileName(path), File.ReadAllText, StringComparer.Ordinal);

    public static JsonObject Values() => (JsonObject)Yaml(ValuesText)!;

    /// <summary>values.yaml with <paramref name="overrideYaml"/> merged over it, as <c>helm install -f</c> does.</summary>
    public static JsonObject ValuesWith(string overrideYaml)
    {
        var values = Values();
        Merge(values, (JsonObject)Yaml(overrideYaml)!);
        return values;
    }

    /// <summary>A YAML document as JSON, with YAML 1.1/Helm scalar typing: plain true/false, numbers and null; quoted scalars are strings.</summary>
    public static JsonNode? Yaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return ToJson(stream.Documents[0].RootNode);
    }

    /// <summary>Every non-empty document of a YAML stream (such as helm template's output) as JSON.</summary>
    public static List<JsonObject> YamlDocuments(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return [.. stream.Documents.Select(d => ToJson(d.RootNode)).OfType<JsonObject>()];
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode list => new JsonArray([.. list.Children.Select(ToJson)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new InvalidOperationException($"Unexpected YAML node {node.NodeType}"),
    };

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(value);
        }

        if (value is "" or "~" or "null")
        {
            return null;
        }

        if (value is "true" or "false")
        {
            return JsonValue.Create(value == "true");
        }

        if (IntegerScalar().IsMatch(value))
        {
            return JsonValue.Create(long.Parse(value, CultureInfo.InvariantCulture));
        }

        return FloatScalar().IsMatch(value) ? JsonValue.Create(double.Parse(value, CultureInfo.InvariantCulture)) : JsonValue.Create(value);
    }

    private static void Merge(JsonObject target, JsonObject source)
    {
        foreach (var (key, value) in source.ToList())
        {
            if (value is JsonObject child && target[key] is JsonObject existing)
            {
                Merge(existing, child);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "DocStore.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("DocStore.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntegerScalar();

    [GeneratedRegex(@"^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatScalar();
}
