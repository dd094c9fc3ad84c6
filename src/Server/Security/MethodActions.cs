using System.Collections.Frozen;
using Google.Protobuf;

namespace DocStore.Server.Security;

/// <summary>What a call needs before it runs.</summary>
internal enum Access
{
    /// <summary>Nothing: the health service, which kubelet probes call without credentials.</summary>
    Open,

    /// <summary>An authenticated caller: server reflection, which describes the contract but touches no document.</summary>
    Authenticated,

    /// <summary>An authenticated caller allowed the method's action on the request's collection(s).</summary>
    Authorized,
}

/// <summary>One action on one collection that a call needs.</summary>
internal readonly record struct Requirement(string Collection, string Action);

/// <summary>The rule of one method: its access, and the collection × action pairs a request needs.</summary>
internal sealed class MethodRule
{
    private readonly Func<IMessage, IReadOnlyList<Requirement>>? _requirements;

    private MethodRule(Access access, string action, bool isWrite, Func<IMessage, IReadOnlyList<Requirement>>? requirements)
    {
        Access = access;
        Action = action;
        IsWrite = isWrite;
        _requirements = requirements;
    }

    public static MethodRule Open { get; } = new(Access.Open, "health", isWrite: false, requirements: null);

    public static MethodRule AuthenticatedOnly { get; } = new(Access.Authenticated, "reflect", isWrite: false, requirements: null);

    public Access Access { get; }

    /// <summary>The action, as the audit trail names it (a batch's: <c>batch</c>).</summary>
    public string Action { get; }

    /// <summary>Whether the call may change documents, so the audit trail records it.</summary>
    public bool IsWrite { get; }

    /// <summary>One action on the collection named by the request's <c>collection</c> field.</summary>
    public static MethodRule Single(string action) =>
        new(Access.Authorized, action, DocStoreActions.Writes.Contains(action), request => [new Requirement(RequestFields.Collection(request), action)]);

    /// <summary>
    /// The action of every operation in the request's repeated <c>operations</c> field, on the request's collection (see
    /// <see cref="BatchRule"/>). The batch is a write when any operation is.
    /// </summary>
    public static MethodRule PerOperation() =>
        new(Access.Authorized, "batch", isWrite: true, request => BatchRule.Requirements(RequestFields.Collection(request), BatchRule.OperationKinds(request)));

    /// <summary>The pairs <paramref name="request"/> needs; none unless <see cref="Access"/> is <see cref="Access.Authorized"/>.</summary>
    public IReadOnlyList<Requirement> RequirementsOf(IMessage request) => _requirements?.Invoke(request) ?? [];
}

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

/// <summary>Reads the fields the rules and the audit trail need from any request or response, by their contract names.</summary>
internal static class RequestFields
{
    /// <summary>The <c>collection</c> field, or empty when the message has none.</summary>
    public static string Collection(IMessage message) => String(message, "collection") ?? "";

    /// <summary>A string field by name; null when the message has no such field.</summary>
    public static string? String(IMessage? message, string name) =>
        message?.Descriptor.FindFieldByName(name) is { FieldType: Google.Protobuf.Reflection.FieldType.String } field
            ? (string)field.Accessor.GetValue(message)
            : null;

    /// <summary>A message field by name; null when absent or unset.</summary>
    public static IMessage? Message(IMessage? message, string name) =>
        message?.Descriptor.FindFieldByName(name) is { FieldType: Google.Protobuf.Reflection.FieldType.Message, IsRepeated: false } field
            ? field.Accessor.GetValue(message) as IMessage
            : null;
}
