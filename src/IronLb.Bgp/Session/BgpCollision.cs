namespace IronLb.Bgp.Session;

/// <summary>Which of two connections to the same peer a collision keeps.</summary>
public enum CollisionSurvivor : byte
{
    /// <summary>The connection we dialled.</summary>
    LocallyInitiated = 1,

    /// <summary>The connection the peer dialled (we accepted).</summary>
    RemotelyInitiated,
}

/// <summary>
/// Connection collision (RFC 4271 §6.8, with RFC 6286 §2.3 for equal identifiers). A driver holding two
/// connections to one peer, one of them in OpenConfirm (or OpenSent once the other's OPEN names the peer's
/// identifier), asks this which one to keep and sends <see cref="CollisionLostEvent"/> to the other's machine.
/// Both routers compute the same answer, so they close the same connection.
/// </summary>
public static class BgpCollision
{
    public static CollisionSurvivor Survivor(uint localIdentifier, uint remoteIdentifier, uint localAsn, uint remoteAsn)
    {
        if (localIdentifier != remoteIdentifier)
        {
            // The higher identifier's connection wins: ours if our identifier is the higher one.
            return localIdentifier > remoteIdentifier ? CollisionSurvivor.LocallyInitiated : CollisionSurvivor.RemotelyInitiated;
        }

        // Equal identifiers can only meet across ASes (RFC 6286): the larger ASN's connection wins.
        return localAsn > remoteAsn ? CollisionSurvivor.LocallyInitiated : CollisionSurvivor.RemotelyInitiated;
    }

    /// <summary>Whether a machine in <paramref name="state"/> takes part in collision detection (RFC 4271 §6.8).</summary>
    public static bool Detects(BgpState state) => state is BgpState.OpenSent or BgpState.OpenConfirm;
}
