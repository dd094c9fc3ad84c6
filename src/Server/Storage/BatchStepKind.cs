namespace DocStore.Server.Storage;

/// <summary>What one operation of a transactional batch does.</summary>
internal enum BatchStepKind
{
    Create,
    Upsert,
    Replace,
    Patch,
    Delete,
    Read,
}
