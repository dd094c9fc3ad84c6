extern alias server;

using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using server::DocStore.Server.Storage.Query;

namespace DocStore.Server.Tests.Query;

/// <summary>The contract's form of the engine tests' filters, so the same rules run through gRPC.</summary>
internal static class ProtoFilters
{
    public static Filter ToProto(DocumentFilter filter) => filter switch
    {
        AllOf all => new Filter { All = new CompositeFilter { Filters = { all.Filters.Select(ToProto) } } },
        AnyOf any => new Filter { Any = new CompositeFilter { Filters = { any.Filters.Select(ToProto) } } },
        NotOf not => new Filter { Not = ToProto(not.Filter) },
        FieldCondition field => new Filter
        {
            Field = new FieldFilter
            {
                Path = field.Path.Text,
                Operator = (FieldFilter.Types.Operator)((int)field.Operator + 1),
                Value = field.Value is { } value ? Json.Value(value.GetRawText()) : null,
            },
        },
        _ => throw new ArgumentOutOfRangeException(nameof(filter)),
    };

    public static Filter Field(string path, FieldFilter.Types.Operator op, string? json = null) =>
        new() { Field = new FieldFilter { Path = path, Operator = op, Value = json is null ? null : Json.Value(json) } };
}
