namespace Switchyard.Core.Admission;

/// <summary>What admission decided: the ticket to hold (and settle) and, when refused, why.</summary>
public readonly struct AdmissionOutcome(AdmissionTicket ticket, AdmissionRejection? rejection)
{
    public AdmissionTicket Ticket { get; } = ticket;

    public AdmissionRejection? Rejection { get; } = rejection;
}
