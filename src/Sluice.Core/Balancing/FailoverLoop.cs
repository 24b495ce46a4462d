namespace Sluice.Core.Balancing;

/// <summary>
/// The one pick → lease → try → report → next-member loop, for relay pools (a message) and the
/// inbound balancer (a connection) alike. Each member is tried at most once per run; a member's
/// fault counts against its passive health, a success for it. Observers see each pick and fault
/// (metrics, logs) without the loop knowing what the work is.
/// </summary>
public sealed class FailoverLoop(BalancerPoolSet pools)
{
    /// <summary>Raised when a member is picked (pool after any failover to a next pool).</summary>
    public event Action<BalancerPool, BalancerMember>? Picked;

    /// <summary>Raised when a try failed by the member's fault.</summary>
    public event Action<BalancerMember, MemberFault>? Faulted;

    public async Task<FailoverResult<T>> RunAsync<T>(string pool, Func<BalancerMember, Task<MemberTry<T>>> tryMember)
    {
        ArgumentNullException.ThrowIfNull(tryMember);
        List<BalancerMember>? tried = null;
        T? last = default;
        var tries = 0;
        while (pools.Pick(pool, tried is null ? null : tried.Contains) is { Member: { } member, Pool: { } from } pick)
        {
            (tried ??= []).Add(member);
            tries++;
            var lease = member.Begin();
            var done = false;
            try
            {
                Picked?.Invoke(from, member);
                var attempt = await tryMember(member).ConfigureAwait(false);
                if (attempt.Fault is { } fault)
                {
                    member.ReportFault(fault);
                    Faulted?.Invoke(member, fault);
                }
                else
                {
                    member.ReportSuccess();
                }

                last = attempt.Result;
                if (!attempt.TryNext)
                {
                    done = true;
                    return new FailoverResult<T>(attempt.Result, pick, lease, tries);
                }
            }
            finally
            {
                if (!done)
                {
                    lease.Dispose();
                }
            }
        }

        return new FailoverResult<T>(last, MemberPick.None, default, tries);
    }
}
