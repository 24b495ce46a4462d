using MimeKit.Cryptography;

namespace Sluice.Delivery.Dkim;

/// <summary>A loaded key: its signer (MimeKit) and the header fields it signs.</summary>
internal sealed record DkimKey(string Domain, string Selector, DkimSigner Signer, string[] Headers);
