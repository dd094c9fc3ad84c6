using DocStore.Server.Api.Messages;

namespace DocStore.Server.Security;

/// <summary>The rule of one method: its access, and the collection × action pairs a request needs.</summary>
internal sealed class MethodRule
{
    private readonly Func<object, IReadOnlyList<Requirement>>? _requirements;

    private MethodRule(Access access, string action, bool isWrite, Func<object, IReadOnlyList<Requirement>>? requirements)
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

    /// <summary>One action on the collection the request names (<see cref="ICollectionRequest"/>).</summary>
    public static MethodRule Single(string action) =>
        new(Access.Authorized, action, DocStoreActions.Writes.Contains(action), request => [new Requirement(CollectionOf(request), action)]);

    /// <summary>
    /// The action of every operation of a batch (<see cref="IBatchRequest"/>), on the request's collection (see
    /// <see cref="BatchRule"/>). The batch is a write when any operation is.
    /// </summary>
    public static MethodRule PerOperation() =>
        new(Access.Authorized, "batch", isWrite: true, request => request is IBatchRequest batch
            ? BatchRule.Requirements(batch.Collection, batch.OperationKinds)
            : throw new InvalidOperationException($"{request.GetType().Name} is not a batch ({nameof(IBatchRequest)}); its rule cannot read its operations."));

    /// <summary>The pairs <paramref name="request"/> needs; none unless <see cref="Access"/> is <see cref="Access.Authorized"/>.</summary>
    public IReadOnlyList<Requirement> RequirementsOf(object request) => _requirements?.Invoke(request) ?? [];

    private static string CollectionOf(object request) => request is ICollectionRequest named
        ? named.Collection
        : throw new InvalidOperationException($"{request.GetType().Name} names no collection ({nameof(ICollectionRequest)}); its rule cannot authorize it.");
}
