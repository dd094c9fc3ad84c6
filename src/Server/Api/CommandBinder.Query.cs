using System.Text.Json;
using DocStore.Server.Storage;
using DocStore.Server.Storage.Commands;
using DocStore.Server.Storage.Query;
using DocStore.V1;
using Google.Protobuf.WellKnownTypes;

namespace DocStore.Server.Api;

/// <summary>Validation of filters, queries and change-feed reads.</summary>
internal static partial class CommandBinder
{
    /// <summary>Binds a query; its <see cref="QueryDocuments.Continuation"/> is the caller's to fill from the page token.</summary>
    public static QueryDocuments BindQuery(QueryRequest request, CollectionRegistry collections)
    {
        var violations = new Violations();
        var collection = FindCollection(request.Collection, collections, violations);
        violations.ThrowIfAny();

        if (request.CrossPartition)
        {
            if (request.PartitionKey.Length > 0)
            {
                violations.Add("partition_key", "must be empty when cross_partition is true");
            }

            if (!collection!.AllowCrossPartitionQuery)
            {
                violations.Add("cross_partition", $"collection '{collection.Name}' does not allow cross-partition queries (DocStore:Collections:{collection.Name}:AllowCrossPartitionQuery)");
            }
        }
        else
        {
            CheckPartitionKey(request.PartitionKey, "partition_key", violations);
        }

        var filter = request.Filter is null ? null : ToFilter(request.Filter, "filter", violations);
        if (request.OrderBy.Count > DocumentLimits.MaxOrderBy)
        {
            violations.Add("order_by", $"has {request.OrderBy.Count} paths; a query orders by at most {DocumentLimits.MaxOrderBy}");
        }

        var orderBy = new List<SortKey>();
        for (var i = 0; i < request.OrderBy.Count && i < DocumentLimits.MaxOrderBy; i++)
        {
            if (FilterPath(request.OrderBy[i].Path, $"order_by[{i}].path", violations) is { } path)
            {
                orderBy.Add(new SortKey(path, request.OrderBy[i].Descending));
            }
        }

        var pageSize = PageSize(request.PageSize, "page_size", violations);
        CheckSessionToken(request.SessionToken, violations);
        violations.ThrowIfAny();
        return new QueryDocuments(collection!, request.CrossPartition ? null : request.PartitionKey, new DocumentQuery(filter, orderBy), pageSize, Continuation: null, NullIfEmpty(request.SessionToken));
    }

    /// <summary>Binds a change-feed read; a continuation in its start is still sealed.</summary>
    public static ReadChangeFeed BindReadChanges(ReadChangesRequest request, CollectionRegistry collections)
    {
        var violations = new Violations();
        var collection = FindCollection(request.Collection, collections, violations);
        var start = ChangeStart(request.PartitionKey, request.Continuation, request.StartTime, request.FromNow, violations);
        var maxItems = PageSize(request.MaxItems, "max_items", violations);
        violations.ThrowIfAny();
        return new ReadChangeFeed(collection!, NullIfEmpty(request.PartitionKey), start!, maxItems, SessionToken: null);
    }

    /// <summary>Binds a change-feed stream as the read of its first page; a continuation in its start is still sealed.</summary>
    public static ReadChangeFeed BindWatchChanges(WatchChangesRequest request, CollectionRegistry collections)
    {
        var violations = new Violations();
        var collection = FindCollection(request.Collection, collections, violations);
        var start = ChangeStart(request.PartitionKey, request.Continuation, request.StartTime, request.FromNow, violations);
        violations.ThrowIfAny();
        return new ReadChangeFeed(collection!, NullIfEmpty(request.PartitionKey), start!, DocumentLimits.DefaultPageSize, SessionToken: null);
    }

    /// <summary>Converts a filter, adding every problem to <paramref name="violations"/>; <see langword="null"/> when it has any.</summary>
    private static DocumentFilter? ToFilter(Filter filter, string field, Violations violations)
    {
        var fieldFilters = 0;
        var result = ToFilter(filter, field, 1, ref fieldFilters, violations);
        if (fieldFilters > DocumentLimits.MaxFieldFilters)
        {
            violations.Add(field, $"has {fieldFilters} field filters; a filter has at most {DocumentLimits.MaxFieldFilters}");
            return null;
        }

        return result;
    }

    private static DocumentFilter? ToFilter(Filter filter, string field, int depth, ref int fieldFilters, Violations violations)
    {
        if (depth > DocumentLimits.MaxFilterDepth)
        {
            violations.Add(field, $"nests filters deeper than {DocumentLimits.MaxFilterDepth} levels");
            return null;
        }

        switch (filter.FilterCase)
        {
            case Filter.FilterOneofCase.Field:
                fieldFilters++;
                return ToCondition(filter.Field, field + ".field", violations);
            case Filter.FilterOneofCase.All:
            case Filter.FilterOneofCase.Any:
                var isAll = filter.FilterCase == Filter.FilterOneofCase.All;
                var children = (isAll ? filter.All : filter.Any).Filters;
                var name = field + (isAll ? ".all" : ".any");
                if (children.Count == 0)
                {
                    violations.Add(name + ".filters", "must hold at least one filter");
                    return null;
                }

                var converted = new List<DocumentFilter>(children.Count);
                var ok = true;
                for (var i = 0; i < children.Count; i++)
                {
                    var child = ToFilter(children[i], $"{name}.filters[{i}]", depth + 1, ref fieldFilters, violations);
                    ok &= child is not null;
                    if (child is not null)
                    {
                        converted.Add(child);
                    }
                }

                return !ok ? null : isAll ? new AllOf(converted) : new AnyOf(converted);
            case Filter.FilterOneofCase.Not:
                var inner = ToFilter(filter.Not, field + ".not", depth + 1, ref fieldFilters, violations);
                return inner is null ? null : new NotOf(inner);
            default:
                violations.Add(field, "has no filter set (field, all, any or not)");
                return null;
        }
    }

    private static FieldCondition? ToCondition(FieldFilter filter, string field, Violations violations)
    {
        var path = FilterPath(filter.Path, field + ".path", violations);
        var value = filter.Value;
        var valueField = field + ".value";
        JsonElement? converted = null;
        FilterOperator op;
        switch (filter.Operator)
        {
            case FieldFilter.Types.Operator.Exists:
                if (value is not null)
                {
                    violations.Add(valueField, "must be unset for OPERATOR_EXISTS");
                }

                return path is null ? null : new FieldCondition(path, FilterOperator.Exists, null);
            case FieldFilter.Types.Operator.Equal:
            case FieldFilter.Types.Operator.NotEqual:
                op = filter.Operator == FieldFilter.Types.Operator.Equal ? FilterOperator.Equal : FilterOperator.NotEqual;
                converted = ScalarValue(value, valueField, "a null, boolean, number or string (compare objects with ARRAY_CONTAINS or by their properties' paths)", violations, allowNull: true);
                break;
            case FieldFilter.Types.Operator.LessThan:
            case FieldFilter.Types.Operator.LessThanOrEqual:
            case FieldFilter.Types.Operator.GreaterThan:
            case FieldFilter.Types.Operator.GreaterThanOrEqual:
                op = filter.Operator switch
                {
                    FieldFilter.Types.Operator.LessThan => FilterOperator.LessThan,
                    FieldFilter.Types.Operator.LessThanOrEqual => FilterOperator.LessThanOrEqual,
                    FieldFilter.Types.Operator.GreaterThan => FilterOperator.GreaterThan,
                    _ => FilterOperator.GreaterThanOrEqual,
                };
                converted = ScalarValue(value, valueField, "a number, string or boolean for a range comparison", violations, allowNull: false);
                break;
            case FieldFilter.Types.Operator.In:
                op = FilterOperator.In;
                converted = InList(value, valueField, violations);
                break;
            case FieldFilter.Types.Operator.ArrayContains:
                op = FilterOperator.ArrayContains;
                converted = AnyValue(value, valueField, violations);
                break;
            case FieldFilter.Types.Operator.StartsWith:
                op = FilterOperator.StartsWith;
                if (value?.KindCase == Value.KindOneofCase.StringValue)
                {
                    converted = JsonOrder.FromNode(System.Text.Json.Nodes.JsonValue.Create(value.StringValue));
                }
                else
                {
                    violations.Add(valueField, "must be a string for OPERATOR_STARTS_WITH");
                }

                break;
            default:
                violations.Add(field + ".operator", $"must be set (OPERATOR_EQUAL ... OPERATOR_EXISTS), not {filter.Operator}");
                return null;
        }

        return path is null || converted is null ? null : new FieldCondition(path, op, converted);
    }

    private static JsonElement? ScalarValue(Value? value, string field, string expected, Violations violations, bool allowNull)
    {
        if (value is null || value.KindCase is Value.KindOneofCase.None or Value.KindOneofCase.StructValue or Value.KindOneofCase.ListValue
            || (!allowNull && value.KindCase == Value.KindOneofCase.NullValue))
        {
            violations.Add(field, $"must be {expected}, not {(value is null ? "unset" : Describe(value))}");
            return null;
        }

        return AnyValue(value, field, violations);
    }

    private static JsonElement? InList(Value? value, string field, Violations violations)
    {
        if (value?.KindCase != Value.KindOneofCase.ListValue)
        {
            violations.Add(field, $"must be a list of values for OPERATOR_IN, not {(value is null ? "unset" : Describe(value))}");
            return null;
        }

        var count = value.ListValue.Values.Count;
        if (count is 0 or > DocumentLimits.MaxInValues)
        {
            violations.Add(field, $"has {count} values; OPERATOR_IN takes 1 to {DocumentLimits.MaxInValues}");
            return null;
        }

        var ok = true;
        for (var i = 0; i < count; i++)
        {
            ok &= ScalarValue(value.ListValue.Values[i], $"{field}[{i}]", "a null, boolean, number or string", violations, allowNull: true) is not null;
        }

        return ok ? AnyValue(value, field, violations) : null;
    }

    private static JsonElement? AnyValue(Value? value, string field, Violations violations)
    {
        if (value is null)
        {
            violations.Add(field, "is required (use a null value to compare with JSON null)");
            return null;
        }

        try
        {
            return JsonOrder.FromNode(StructJson.ToJsonNode(value, 1));
        }
        catch (InvalidJsonValueException e)
        {
            violations.Add(e.Path.Length == 0 ? field : $"{field}.{e.Path}", e.Reason);
            return null;
        }
    }

    /// <summary>A path in a filter or ORDER BY: a JSON Pointer, as in a patch, that does not name a system property.</summary>
    private static JsonPointer? FilterPath(string text, string field, Violations violations)
    {
        if (!JsonPointer.TryParse(text, out var path, out var error))
        {
            violations.Add(field, error);
            return null;
        }

        if (DocumentLimits.SystemProperties.Contains(path.Segments[0]))
        {
            violations.Add(field, $"{Quote.Short(path.Segments[0])} is a system property; documents are filtered by their own properties");
            return null;
        }

        if (path.Segments.Count > DocumentLimits.MaxDepth)
        {
            violations.Add(field, $"has {path.Segments.Count} segments; documents nest at most {DocumentLimits.MaxDepth} levels");
            return null;
        }

        return path;
    }

    private static int PageSize(int value, string field, Violations violations)
    {
        if (value is < 0 or > DocumentLimits.MaxPageSize)
        {
            violations.Add(field, $"is {value}; it must be 1 to {DocumentLimits.MaxPageSize}, or 0 for {DocumentLimits.DefaultPageSize}");
        }

        return value == 0 ? DocumentLimits.DefaultPageSize : value;
    }

    private static ChangeFeedStart? ChangeStart(string partitionKey, string continuation, Timestamp? startTime, bool fromNow, Violations violations)
    {
        if (partitionKey.Length > 0)
        {
            CheckPartitionKey(partitionKey, "partition_key", violations);
        }

        var starts = (continuation.Length > 0 ? 1 : 0) + (startTime is null ? 0 : 1) + (fromNow ? 1 : 0);
        if (starts > 1)
        {
            violations.Add(continuation.Length > 0 ? "continuation" : "start_time", "set at most one of continuation, start_time and from_now");
            return null;
        }

        if (continuation.Length > 0)
        {
            return new ChangeFeedStart.After(continuation);
        }

        if (startTime is not null)
        {
            if (startTime.Seconds < 0 || startTime.Nanos is < 0 or > 999_999_999)
            {
                violations.Add("start_time", "must be a valid time after 1970-01-01");
                return null;
            }

            return new ChangeFeedStart.At(startTime.ToDateTimeOffset());
        }

        return fromNow ? new ChangeFeedStart.Now() : new ChangeFeedStart.Beginning();
    }

    private static string Describe(Value value) => value.KindCase switch
    {
        Value.KindOneofCase.NullValue => "null",
        Value.KindOneofCase.BoolValue => "a boolean",
        Value.KindOneofCase.NumberValue => "a number",
        Value.KindOneofCase.StringValue => "a string",
        Value.KindOneofCase.StructValue => "an object",
        Value.KindOneofCase.ListValue => "a list",
        _ => "unset",
    };

}
