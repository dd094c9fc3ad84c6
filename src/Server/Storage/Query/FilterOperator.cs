namespace DocStore.Server.Storage.Query;

/// <summary>How a <see cref="FieldCondition"/> compares a property with its value.</summary>
internal enum FilterOperator
{
    Equal,
    NotEqual,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
    In,
    ArrayContains,
    StartsWith,
    Exists,
}
