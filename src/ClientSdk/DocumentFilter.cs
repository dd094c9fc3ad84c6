using System.Text.Json;
using DocStore.Client.Internal;
using Google.Protobuf.WellKnownTypes;
using ProtoFilter = DocStore.V1.Filter;
using ProtoOperator = DocStore.V1.FieldFilter.Types.Operator;

namespace DocStore.Client;

/// <summary>
/// A condition on documents, for queries and conditional patches:
/// <c>DocumentFilter.Equal("/status", "open") &amp; DocumentFilter.GreaterThan("/total", 10)</c>. Paths are JSON Pointers;
/// values are serialized with the client's JSON options when the call is sent. DocStore evaluates it
/// with Cosmos DB's three-valued logic: a comparison with a missing property matches nothing, not even
/// when negated.
/// </summary>
public sealed class DocumentFilter
{
    private readonly Func<JsonSerializerOptions, ProtoFilter> _build;

    private DocumentFilter(Func<JsonSerializerOptions, ProtoFilter> build) => _build = build;

    /// <summary>The property equals <paramref name="value"/> (numbers as doubles; other types never equal).</summary>
    /// <typeparam name="TValue">The value's type: a string, number, boolean or null.</typeparam>
    /// <param name="path">A JSON Pointer such as <c>/status</c>.</param>
    /// <param name="value">The value.</param>
    public static DocumentFilter Equal<TValue>(string path, TValue value) => Field(path, ProtoOperator.Equal, value, typeof(TValue));

    /// <summary>The property is defined and does not equal <paramref name="value"/>.</summary>
    /// <typeparam name="TValue">The value's type.</typeparam>
    /// <param name="path">A JSON Pointer.</param>
    /// <param name="value">The value.</param>
    public static DocumentFilter NotEqual<TValue>(string path, TValue value) => Field(path, ProtoOperator.NotEqual, value, typeof(TValue));

    /// <summary>The property is less than <paramref name="value"/> (same type only).</summary>
    /// <typeparam name="TValue">A number, string or boolean type.</typeparam>
    /// <param name="path">A JSON Pointer.</param>
    /// <param name="value">The bound.</param>
    public static DocumentFilter LessThan<TValue>(string path, TValue value) => Field(path, ProtoOperator.LessThan, value, typeof(TValue));

    /// <summary>The property is at most <paramref name="value"/> (same type only).</summary>
    /// <typeparam name="TValue">A number, string or boolean type.</typeparam>
    /// <param name="path">A JSON Pointer.</param>
    /// <param name="value">The bound.</param>
    public static DocumentFilter LessThanOrEqual<TValue>(string path, TValue value) => Field(path, ProtoOperator.LessThanOrEqual, value, typeof(TValue));

    /// <summary>The property is greater than <paramref name="value"/> (same type only).</summary>
    /// <typeparam name="TValue">A number, string or boolean type.</typeparam>
    /// <param name="path">A JSON Pointer.</param>
    /// <param name="value">The bound.</param>
    public static DocumentFilter GreaterThan<TValue>(string path, TValue value) => Field(path, ProtoOperator.GreaterThan, value, typeof(TValue));

    /// <summary>The property is at least <paramref name="value"/> (same type only).</summary>
    /// <typeparam name="TValue">A number, string or boolean type.</typeparam>
    /// <param name="path">A JSON Pointer.</param>
    /// <param name="value">The bound.</param>
    public static DocumentFilter GreaterThanOrEqual<TValue>(string path, TValue value) => Field(path, ProtoOperator.GreaterThanOrEqual, value, typeof(TValue));

    /// <summary>The property equals one of 1 to 100 <paramref name="values"/>.</summary>
    /// <typeparam name="TValue">The values' type.</typeparam>
    /// <param name="path">A JSON Pointer.</param>
    /// <param name="values">The candidates.</param>
    public static DocumentFilter In<TValue>(string path, params TValue[] values) => Field(path, ProtoOperator.In, values, typeof(TValue[]));

    /// <summary>The property is an array with an element equal to <paramref name="value"/> (objects: exactly equal).</summary>
    /// <typeparam name="TValue">The element's type.</typeparam>
    /// <param name="path">A JSON Pointer.</param>
    /// <param name="value">The element.</param>
    public static DocumentFilter ArrayContains<TValue>(string path, TValue value) => Field(path, ProtoOperator.ArrayContains, value, typeof(TValue));

    /// <summary>The property is a string that starts with <paramref name="prefix"/> (case-sensitive).</summary>
    /// <param name="path">A JSON Pointer.</param>
    /// <param name="prefix">The prefix.</param>
    public static DocumentFilter StartsWith(string path, string prefix) => Field(path, ProtoOperator.StartsWith, prefix, typeof(string));

    /// <summary>The property is defined (null counts as defined).</summary>
    /// <param name="path">A JSON Pointer.</param>
    public static DocumentFilter Exists(string path)
    {
        CheckPath(path);
        return new(_ => new ProtoFilter { Field = new V1.FieldFilter { Path = path, Operator = ProtoOperator.Exists } });
    }

    /// <summary>Every filter matches.</summary>
    /// <param name="filters">One or more filters.</param>
    public static DocumentFilter All(params DocumentFilter[] filters) => Composite(filters, all: true);

    /// <summary>At least one filter matches.</summary>
    /// <param name="filters">One or more filters.</param>
    public static DocumentFilter Any(params DocumentFilter[] filters) => Composite(filters, all: false);

    /// <summary>The filter does not match (a comparison with a missing property stays unmatched).</summary>
    /// <param name="filter">The filter to negate.</param>
    public static DocumentFilter Not(DocumentFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return new(options => new ProtoFilter { Not = filter.ToProto(options) });
    }

    /// <summary>Both filters match.</summary>
    /// <param name="left">A filter.</param>
    /// <param name="right">Another filter.</param>
    public static DocumentFilter operator &(DocumentFilter left, DocumentFilter right) => All(left, right);

    /// <summary>Either filter matches.</summary>
    /// <param name="left">A filter.</param>
    /// <param name="right">Another filter.</param>
    public static DocumentFilter operator |(DocumentFilter left, DocumentFilter right) => Any(left, right);

    /// <summary>The filter does not match.</summary>
    /// <param name="filter">The filter to negate.</param>
    public static DocumentFilter operator !(DocumentFilter filter) => Not(filter);

    /// <summary>Both filters match (the named form of <c>&amp;</c>).</summary>
    /// <param name="other">Another filter.</param>
    public DocumentFilter And(DocumentFilter other) => All(this, other);

    /// <summary>Either filter matches (the named form of <c>|</c>).</summary>
    /// <param name="other">Another filter.</param>
    public DocumentFilter Or(DocumentFilter other) => Any(this, other);

    /// <summary>The negation (the named form of <c>!</c>).</summary>
    public DocumentFilter LogicalNot() => Not(this);

    internal ProtoFilter ToProto(JsonSerializerOptions options) => _build(options);

    private static DocumentFilter Field(string path, ProtoOperator op, object? value, System.Type type)
    {
        CheckPath(path);
        return new(options => new ProtoFilter
        {
            Field = new V1.FieldFilter { Path = path, Operator = op, Value = value is null ? Value.ForNull() : StructJson.ToValue(value, type, options) },
        });
    }

    private static DocumentFilter Composite(DocumentFilter[] filters, bool all)
    {
        ArgumentNullException.ThrowIfNull(filters);
        if (filters.Length == 0 || filters.Any(f => f is null))
        {
            throw new ArgumentException("A composite filter needs at least one filter, and no nulls.", nameof(filters));
        }

        return new(options =>
        {
            var composite = new V1.CompositeFilter { Filters = { filters.Select(f => f.ToProto(options)) } };
            return all ? new ProtoFilter { All = composite } : new ProtoFilter { Any = composite };
        });
    }

    private static void CheckPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!path.StartsWith('/'))
        {
            throw new ArgumentException($"'{path}' is not a JSON Pointer: it must start with '/'.", nameof(path));
        }
    }
}
