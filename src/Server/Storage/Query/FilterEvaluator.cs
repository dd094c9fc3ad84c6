using System.Text.Json;

namespace DocStore.Server.Storage.Query;

/// <summary>The three values of Cosmos DB's logic.</summary>
internal enum Truth
{
    False,
    True,
    Undefined,
}

/// <summary>
/// Evaluates a <see cref="DocumentFilter"/> on a document in memory. It is the reference that the
/// Cosmos DB and SQLite translations are tested against, and it states the rules:
/// <list type="bullet">
/// <item>a comparison with a missing property is undefined, and NOT undefined is undefined;</item>
/// <item>AND and OR are Kleene's: false AND undefined is false, true OR undefined is true;</item>
/// <item>= between different types is false and != true (the engine's behaviour, which the
/// documentation calls undefined); null = null is true;</item>
/// <item>ranges compare numbers (as doubles), strings (by code point) and booleans; across types, or on
/// null, arrays and objects, they are undefined;</item>
/// <item>ARRAY_CONTAINS is undefined on a non-array and matches a whole element of the same type;</item>
/// <item>STARTS_WITH is case-sensitive and undefined on a non-string; EXISTS is never undefined.</item>
/// </list>
/// </summary>
internal static class FilterEvaluator
{
    /// <summary>True when <paramref name="filter"/> keeps <paramref name="document"/> (only <see cref="Truth.True"/> does).</summary>
    public static bool Matches(DocumentFilter? filter, JsonElement document) =>
        filter is null || Evaluate(filter, document) == Truth.True;

    public static Truth Evaluate(DocumentFilter filter, JsonElement document)
    {
        switch (filter)
        {
            case AllOf all:
                var allResult = Truth.True;
                foreach (var child in all.Filters)
                {
                    var value = Evaluate(child, document);
                    if (value == Truth.False)
                    {
                        return Truth.False;
                    }

                    if (value == Truth.Undefined)
                    {
                        allResult = Truth.Undefined;
                    }
                }

                return allResult;
            case AnyOf any:
                var anyResult = Truth.False;
                foreach (var child in any.Filters)
                {
                    var value = Evaluate(child, document);
                    if (value == Truth.True)
                    {
                        return Truth.True;
                    }

                    if (value == Truth.Undefined)
                    {
                        anyResult = Truth.Undefined;
                    }
                }

                return anyResult;
            case NotOf not:
                return Evaluate(not.Filter, document) switch
                {
                    Truth.True => Truth.False,
                    Truth.False => Truth.True,
                    _ => Truth.Undefined,
                };
            case FieldCondition field:
                return Compare(JsonOrder.Resolve(document, field.Path), field);
            default:
                throw new ArgumentOutOfRangeException(nameof(filter), filter, "Unknown filter.");
        }
    }

    private static Truth Compare(JsonElement? property, FieldCondition field)
    {
        if (field.Operator == FilterOperator.Exists)
        {
            return Of(property is not null);
        }

        if (property is not { } actual)
        {
            return Truth.Undefined;
        }

        var expected = field.Value!.Value;
        switch (field.Operator)
        {
            case FilterOperator.Equal:
                return Of(Equal(actual, expected));
            case FilterOperator.NotEqual:
                return Of(!Equal(actual, expected));
            case FilterOperator.In:
                foreach (var candidate in expected.EnumerateArray())
                {
                    if (Equal(actual, candidate))
                    {
                        return Truth.True;
                    }
                }

                return Truth.False;
            case FilterOperator.ArrayContains:
                if (actual.ValueKind != JsonValueKind.Array)
                {
                    return Truth.Undefined;
                }

                foreach (var element in actual.EnumerateArray())
                {
                    if (Equal(element, expected))
                    {
                        return Truth.True;
                    }
                }

                return Truth.False;
            case FilterOperator.StartsWith:
                return actual.ValueKind == JsonValueKind.String
                    ? Of(actual.GetString()!.StartsWith(expected.GetString()!, StringComparison.Ordinal))
                    : Truth.Undefined;
            default:
                if (actual.ValueKind is not (JsonValueKind.Number or JsonValueKind.String or JsonValueKind.True or JsonValueKind.False)
                    || JsonOrder.CompareScalars(actual, expected) is not { } order)
                {
                    return Truth.Undefined;
                }

                return Of(field.Operator switch
                {
                    FilterOperator.LessThan => order < 0,
                    FilterOperator.LessThanOrEqual => order <= 0,
                    FilterOperator.GreaterThan => order > 0,
                    _ => order >= 0,
                });
        }
    }

    /// <summary>Equality as <c>=</c> has it: false across types (true and false are one type).</summary>
    private static bool Equal(JsonElement actual, JsonElement expected) =>
        JsonOrder.SameType(actual, expected) && JsonOrder.DeepEquals(actual, expected);

    private static Truth Of(bool value) => value ? Truth.True : Truth.False;
}
