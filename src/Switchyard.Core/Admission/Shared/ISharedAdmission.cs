namespace Switchyard.Core.Admission.Shared;

/// <summary>
/// Limits and budgets shared by every replica (Redis in Switchyard.Storage): one atomic step per admission covering
/// every subject of the request, and one per settlement, on the shared store's clock. Core holds no Redis dependency;
/// <see cref="AdmissionController"/> puts a breaker and the failure policy in front of it.
/// </summary>
/// <remarks>
/// Implementations throw <see cref="SharedStateException"/> when the shared store cannot answer (down, slow, refused);
/// anything else is a bug.
/// </remarks>
public interface ISharedAdmission
{
    /// <summary>
    /// Checks and takes every subject's budget, concurrency, rpm and tpm at once; takes nothing when one refuses.
    /// </summary>
    ValueTask<SharedVerdict> AdmitAsync(SharedAdmitRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces a ticket's reservations by what it used; idempotent per ticket (a retried settlement counts once).
    /// </summary>
    ValueTask<SharedSettlement> SettleAsync(SharedSettleRequest request, CancellationToken cancellationToken);
}
