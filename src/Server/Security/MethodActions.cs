using System.Collections.Frozen;

namespace DocStore.Server.Security;

/// <summary>
/// Maps every gRPC method the server serves to its rule, keyed by the contract's method names. A method of
/// <c>docstore.v1.DocStoreService</c> without an entry is refused (PERMISSION_DENIED), and a test walks the service
/// descriptor so that such a method fails the build's tests first.
/// </summary>
internal static class MethodActions
{
    public const string DocStoreService = "docstore.v1.DocStoreService";
    private const string HealthService = "grpc.health.v1.Health";
    private const string ReflectionPrefix = "/grpc.reflection.";

    /// <summary>The action of each method of the contract, by the descriptor's method name (the action table).</summary>
    public static readonly FrozenDictionary<string, MethodRule> ByMethodName = new Dictionary<string, MethodRule>(StringComparer.Ordinal)
    {
        ["Get"] = MethodRule.Single(DocStoreActions.Read),
        ["ReadMany"] = MethodRule.Single(DocStoreActions.Read),
        ["Query"] = MethodRule.Single(DocStoreActions.Query),
        ["ReadChanges"] = MethodRule.Single(DocStoreActions.Changes),
        ["WatchChanges"] = MethodRule.Single(DocStoreActions.Changes),
        ["Create"] = MethodRule.Single(DocStoreActions.Create),
        ["Replace"] = MethodRule.Single(DocStoreActions.Replace),
        ["Upsert"] = MethodRule.Single(DocStoreActions.Upsert),
        ["Patch"] = MethodRule.Single(DocStoreActions.Patch),
        ["Delete"] = MethodRule.Single(DocStoreActions.Delete),
        ["ExecuteBatch"] = MethodRule.PerOperation(),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, MethodRule> ByPath = ByMethodName
        .ToDictionary(p => $"/{DocStoreService}/{p.Key}", p => p.Value, StringComparer.Ordinal)
        .ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The rule of a gRPC path such as <c>/docstore.v1.DocStoreService/Get</c>; null for a method nobody mapped.</summary>
    public static MethodRule? Find(string path)
    {
        if (ByPath.TryGetValue(path, out var rule))
        {
            return rule;
        }

        if (path.StartsWith($"/{HealthService}/", StringComparison.Ordinal))
        {
            return MethodRule.Open;
        }

        return path.StartsWith(ReflectionPrefix, StringComparison.Ordinal) ? MethodRule.AuthenticatedOnly : null;
    }
}
