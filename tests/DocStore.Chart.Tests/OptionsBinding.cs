using System.Collections;
using System.Globalization;
using System.Reflection;
using DocStore.Server;
using Microsoft.Extensions.Configuration;

namespace DocStore.Chart.Tests;

/// <summary>
/// Binds one configuration key to <see cref="DocStoreOptions"/> with the real configuration binder,
/// refusing keys that match no property, and reads the bound value back by walking the options types.
/// </summary>
internal static class OptionsBinding
{
    /// <summary>Stands for a segment the chart fills in at render time (a collection name, a list index).</summary>
    public const string Placeholder = "\u0001";

    /// <summary>
    /// Binds <paramref name="key"/> (<c>DocStore:A:B</c>, placeholders allowed) to a sample of its type and
    /// returns null when the options now hold that sample, or what went wrong.
    /// </summary>
    public static string? Check(string key)
    {
        var segments = key.Split(':');
        if (segments[0] != DocStoreOptions.SectionName)
        {
            return $"{key} is outside the {DocStoreOptions.SectionName} section";
        }

        // Resolve the key's type along the options' properties (exact case, as the server documents them).
        Type type = typeof(DocStoreOptions);
        var concrete = new List<string> { segments[0] };
        foreach (var segment in segments.Skip(1))
        {
            if (DictionaryValueType(type) is { } valueType)
            {
                concrete.Add(segment == Placeholder ? "sample" : segment);
                type = valueType;
            }
            else if (ListItemType(type) is { } itemType)
            {
                if (segment != Placeholder && !int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    return $"{key}: '{segment}' is not a list index";
                }

                concrete.Add("0");
                type = itemType;
            }
            else if (type.GetProperty(segment, BindingFlags.Public | BindingFlags.Instance) is { } property)
            {
                concrete.Add(segment);
                type = property.PropertyType;
            }
            else
            {
                return $"{key}: {type.Name} has no property '{segment}'";
            }
        }

        if (!TrySample(type, out var sample))
        {
            return $"{key} names a {type.Name}, not a single setting";
        }

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([KeyValuePair.Create<string, string?>(string.Join(':', concrete), sample.Text)])
            .Build();
        var options = new DocStoreOptions();
        try
        {
            configuration.GetSection(DocStoreOptions.SectionName).Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            return $"{key}: {e.Message}";
        }

        var bound = Read(options, concrete.Skip(1));
        return Equals(bound, sample.Value) ? null : $"{key}: bound {bound ?? "nothing"}, expected {sample.Value}";
    }

    private static object? Read(object? target, IEnumerable<string> path)
    {
        foreach (var segment in path)
        {
            target = target switch
            {
                null => null,
                IDictionary dictionary => dictionary.Contains(segment) ? dictionary[segment] : null,
                IList list => list.Count > 0 ? list[0] : null,
                _ => target.GetType().GetProperty(segment)!.GetValue(target),
            };
        }

        return target;
    }

    /// <summary>A value of <paramref name="type"/> that differs from every default, as configuration text and as the bound value.</summary>
    private static bool TrySample(Type type, out (string Text, object Value) sample)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        sample = underlying switch
        {
            _ when underlying == typeof(string) => ("sample-value", "sample-value"),
            _ when underlying == typeof(bool) => ("true", true),
            _ when underlying == typeof(int) => ("4321", 4321),
            _ when underlying == typeof(TimeSpan) => ("00:00:07", TimeSpan.FromSeconds(7)),
            _ when underlying == typeof(Uri) => ("https://sample.example/", new Uri("https://sample.example/")),
            _ when underlying.IsEnum => (Enum.GetNames(underlying)[^1], Enum.GetValues(underlying).GetValue(Enum.GetValues(underlying).Length - 1)!),
            _ => default,
        };
        return sample.Text is not null;
    }

    private static Type? DictionaryValueType(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>) && type.GetGenericArguments()[0] == typeof(string)
            ? type.GetGenericArguments()[1]
            : null;

    private static Type? ListItemType(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() is var definition && (definition == typeof(IList<>) || definition == typeof(List<>))
            ? type.GetGenericArguments()[0]
            : null;
}
