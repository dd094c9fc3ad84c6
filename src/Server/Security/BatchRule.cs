using DocStore.Server.Storage;

namespace DocStore.Server.Security;

/// <summary>A batch needs the action of every operation in it; when one is denied, the whole batch is.</summary>
internal static class BatchRule
{
    /// <summary>The distinct collection × action pairs a batch of <paramref name="operationKinds"/> on <paramref name="collection"/> needs.</summary>
    public static IReadOnlyList<Requirement> Requirements(string collection, IEnumerable<BatchStepKind> operationKinds)
    {
        var requirements = new List<Requirement>();
        foreach (var kind in operationKinds)
        {
            var requirement = new Requirement(collection, ActionOf(kind));
            if (!requirements.Contains(requirement))
            {
                requirements.Add(requirement);
            }
        }

        return requirements;
    }

    /// <summary>The action one operation of a batch needs: the action of its single-document call.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A kind this rule does not know.</exception>
    public static string ActionOf(BatchStepKind kind) => kind switch
    {
        BatchStepKind.Read => DocStoreActions.Read,
        BatchStepKind.Create => DocStoreActions.Create,
        BatchStepKind.Replace => DocStoreActions.Replace,
        BatchStepKind.Upsert => DocStoreActions.Upsert,
        BatchStepKind.Patch => DocStoreActions.Patch,
        BatchStepKind.Delete => DocStoreActions.Delete,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, $"Batch operation kind '{kind}' has no action in {nameof(BatchRule)}."),
    };
}
