using System.Collections;
using Google.Protobuf;

namespace DocStore.Server.Security;

/// <summary>
/// A batch needs the action of every operation in it; when one is denied, the whole batch is. An operation's kind is
/// the name of the field set in its <c>oneof</c> (<c>read</c>, <c>create</c>, <c>replace</c>, <c>upsert</c>,
/// <c>patch</c>, <c>delete</c>).
/// </summary>
internal static class BatchRule
{
    private static readonly Dictionary<string, string> ActionOfKind = new(StringComparer.Ordinal)
    {
        ["read"] = DocStoreActions.Read,
        ["create"] = DocStoreActions.Create,
        ["replace"] = DocStoreActions.Replace,
        ["upsert"] = DocStoreActions.Upsert,
        ["patch"] = DocStoreActions.Patch,
        ["delete"] = DocStoreActions.Delete,
    };

    /// <summary>The distinct collection × action pairs a batch of <paramref name="operationKinds"/> on <paramref name="collection"/> needs.</summary>
    /// <exception cref="InvalidOperationException">An operation kind has no action: the contract grew a kind this rule does not know.</exception>
    public static IReadOnlyList<Requirement> Requirements(string collection, IEnumerable<string> operationKinds)
    {
        var requirements = new List<Requirement>();
        foreach (var kind in operationKinds)
        {
            if (!ActionOfKind.TryGetValue(kind, out var action))
            {
                throw new InvalidOperationException($"Batch operation kind '{kind}' has no action in {nameof(BatchRule)}.");
            }

            var requirement = new Requirement(collection, action);
            if (!requirements.Contains(requirement))
            {
                requirements.Add(requirement);
            }
        }

        return requirements;
    }

    /// <summary>The kind of each element of the request's repeated <c>operations</c> field that has one: the name of the field set in its oneof.</summary>
    public static IEnumerable<string> OperationKinds(IMessage request)
    {
        var field = request.Descriptor.FindFieldByName("operations");
        if (field is not { IsRepeated: true, FieldType: Google.Protobuf.Reflection.FieldType.Message })
        {
            throw new InvalidOperationException($"{request.Descriptor.FullName} has no repeated 'operations' field for {nameof(BatchRule)}.");
        }

        foreach (IMessage operation in (IList)field.Accessor.GetValue(request))
        {
            // An operation with nothing set needs no action: validation refuses it (INVALID_ARGUMENT) after authorization.
            if (operation.Descriptor.Oneofs.FirstOrDefault()?.Accessor.GetCaseFieldDescriptor(operation)?.Name is { } kind)
            {
                yield return kind;
            }
        }
    }
}
