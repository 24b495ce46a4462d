using System.Net;

namespace Sluice.Balance;

/// <summary>A listening front-door socket shared by the proxy loops: its descriptor, bound address and pool.</summary>
internal sealed record BalanceListener(int Fd, IPEndPoint Endpoint, string Pool);
