using System.Collections;
using System.ComponentModel;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace DocStore.Server;

/// <summary>
/// The <c>DocStore</c> section, bound once into a <see cref="DocStoreOptions"/>, with what binding
/// found: values that do not convert to their setting's type (an enum typo, a port that is not a
/// number), which the configuration binder would throw for, and keys that name no setting.
/// </summary>
/// <param name="Options">The settings; a value that did not convert keeps its default here.</param>
/// <param name="Problems">One message per value that did not convert, naming the key and what it accepts.</param>
/// <param name="UnknownKeys">
/// Keys under <c>DocStore</c> that no setting has, such as <c>DocStore:Embeded:Path</c>, each followed by the
/// nearest setting's name when one is within two letters: <c>(did you mean DocStore:Embedded?)</c>.
/// </param>
internal sealed record DocStoreSettings(DocStoreOptions Options, IReadOnlyList<string> Problems, IReadOnlyList<string> UnknownKeys)
{
    /// <summary>Binds <paramref name="section"/>; never throws for a bad value, which becomes a problem instead.</summary>
    public static DocStoreSettings Bind(IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var problems = new List<string>();
        var unknown = new List<string>();
        var rejected = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        CheckObject(section, typeof(DocStoreOptions), problems, unknown, rejected);

        var options = new DocStoreOptions();
        if (rejected.Count == 0)
        {
            section.Bind(options);
        }
        else
        {
            // Bind everything else, so that the validators still report the other problems in the same run.
            var accepted = section.AsEnumerable().Where(pair => pair.Value is not null && !rejected.Contains(pair.Key));
            new ConfigurationBuilder().AddInMemoryCollection(accepted).Build().GetSection(section.Path).Bind(options);
        }

        if (options.Collections.Count == 0)
        {
            options.Collections[DocStoreOptions.DefaultCollection] = new CollectionOptions { PartitionKeyPath = "/pk" };
        }

        return new DocStoreSettings(options, problems, unknown);
    }

    /// <summary>The message for an enum-valued key set to something it does not accept.</summary>
    public static string NotOneOf(string key, string value, Type enumType) =>
        $"{key}: '{value}' is not valid; use one of: {string.Join(", ", Enum.GetNames(enumType))}.";

    /// <summary>
    /// The problem with the PEM bundle of CAs that <paramref name="key"/> names at <paramref name="path"/>, or null
    /// when it can be read and holds at least one certificate.
    /// </summary>
    public static string? PemBundleProblem(string key, string path)
    {
        try
        {
            var collection = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
            collection.ImportFromPemFile(path);
            return collection.Count == 0 ? $"{key} '{path}' holds no PEM certificate." : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            return $"{key} '{path}' cannot be read: {e.GetType().Name}.";
        }
    }

    /// <summary>A validator's result from the problems it collected.</summary>
    public static ValidateOptionsResult Result(List<string> problems) =>
        problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);

    private static void CheckObject(IConfigurationSection section, Type type, List<string> problems, List<string> unknown, HashSet<string> rejected)
    {
        foreach (var child in section.GetChildren())
        {
            var property = type.GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null)
            {
                var hint = Closest(child.Key, type) is { } name ? $" (did you mean {section.Path}:{name}?)" : "";
                unknown.AddRange(child.AsEnumerable().Where(pair => pair.Value is not null).Select(pair => pair.Key + hint).Order(StringComparer.Ordinal));
                continue;
            }

            CheckValue(child, property.PropertyType, problems, unknown, rejected);
        }
    }

    private static void CheckValue(IConfigurationSection section, Type type, List<string> problems, List<string> unknown, HashSet<string> rejected)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            // Collections:<name>: the names are the caller's own; what is inside each is checked.
            foreach (var entry in section.GetChildren())
            {
                CheckValue(entry, type.GetGenericArguments()[1], problems, unknown, rejected);
            }

            return;
        }

        if (type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type))
        {
            var element = type.IsGenericType ? type.GetGenericArguments()[0] : typeof(string);
            foreach (var item in section.GetChildren())
            {
                CheckValue(item, element, problems, unknown, rejected);
            }

            return;
        }

        var converter = TypeDescriptor.GetConverter(type);
        if (!converter.CanConvertFrom(typeof(string)))
        {
            CheckObject(section, type, problems, unknown, rejected);
            return;
        }

        var value = section.Value;
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (value is null || (string.IsNullOrEmpty(value) && target != type))
        {
            return;
        }

        if (!Converts(converter, value))
        {
            rejected.Add(section.Path);
            problems.Add(target.IsEnum ? NotOneOf(section.Path, value, target) : $"{section.Path}: '{value}' is not {Describe(target)}.");
        }
    }

    /// <summary>The setting of <paramref name="type"/> within two edits of <paramref name="key"/>, if there is one.</summary>
    private static string? Closest(string key, Type type) => type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Select(p => (p.Name, Distance: EditDistance(key.ToUpperInvariant(), p.Name.ToUpperInvariant())))
        .Where(c => c.Distance <= 2)
        .OrderBy(c => c.Distance)
        .Select(c => c.Name)
        .FirstOrDefault();

    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    private static bool Converts(TypeConverter converter, string value)
    {
        try
        {
            _ = converter.ConvertFromInvariantString(value);
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException || e.InnerException is FormatException or OverflowException)
        {
            return false;
        }
    }

    private static string Describe(Type type) =>
        type == typeof(TimeSpan) ? "a time span; write it as [d.]hh:mm:ss[.fff], for example 00:00:05"
        : type == typeof(bool) ? "true or false"
        : type == typeof(int) ? "a whole number"
        : type == typeof(Uri) ? "an address"
        : $"a {type.Name}";
}

/// <summary>Reports the values <see cref="DocStoreSettings.Bind"/> could not convert, with the validators' problems.</summary>
internal sealed class DocStoreSettingsValidator(DocStoreSettings settings) : IValidateOptions<DocStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, DocStoreOptions options) => DocStoreSettings.Result([.. settings.Problems]);
}

/// <summary>
/// Hands the options pipeline the instance bound once in <see cref="DocStoreSettings.Bind"/>, so that
/// <see cref="IOptions{TOptions}"/> consumers and the start-up validation see that same instance.
/// </summary>
internal sealed class BoundOptionsFactory(
    DocStoreSettings settings,
    IEnumerable<IConfigureOptions<DocStoreOptions>> setups,
    IEnumerable<IPostConfigureOptions<DocStoreOptions>> postConfigures,
    IEnumerable<IValidateOptions<DocStoreOptions>> validations)
    : OptionsFactory<DocStoreOptions>(setups, postConfigures, validations)
{
    protected override DocStoreOptions CreateInstance(string name) => settings.Options;
}
