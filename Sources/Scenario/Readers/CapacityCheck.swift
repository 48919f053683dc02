import PresenceCore

/// The capacity check: whether the machine can hold the run and whether it would end in reasonable time
/// (FORMAT.md, "Capacity"). The constants live in ``ResourceEstimate``.
extension Validator {
    /// Checks the run's memory and work; does nothing when a value it needs is missing or invalid (an
    /// error has been reported for it).
    func checkCapacity(
        clients: Double?, rooms: Rooms?, duration: Interval?, presence: PresenceProtocol?, behavior: Behavior?,
        network: Network?, cohorts: [Cohort]? = nil, physicalMemory: UInt64
    ) {
        guard let clients, let rooms, let duration, let presence,
            fitsInMemory(clients: clients, rooms: rooms, duration: duration, physicalMemory: physicalMemory)
        else { return }
        let recurring =
            if let cohorts, !cohorts.isEmpty {
                ResourceEstimate.recurring(presence: presence, cohorts: cohorts)
            } else {
                ResourceEstimate.recurring(presence: presence, behavior: behavior, network: network)
            }
        let roomsPerClient = ResourceEstimate.Memberships(rooms: rooms, clients: clients).roomsPerClient
        checkEvents(clients: clients, roomsPerClient: roomsPerClient, duration: duration, recurring: recurring)
    }

    /// Reports, at `duration` or at `clients` (whichever makes up most of the estimate), a run that needs
    /// more than the usable share of the machine's memory; returns whether it fits.
    private func fitsInMemory(clients: Double, rooms: Rooms, duration: Interval, physicalMemory: UInt64) -> Bool {
        let memberships = ResourceEstimate.Memberships(rooms: rooms, clients: clients)
        let memory = ResourceEstimate.memory(clients: clients, memberships: memberships, duration: duration)
        let usable = Double(physicalMemory) * ResourceEstimate.usableMemoryShare
        guard memory > usable else { return true }
        let clientsText = ResourceEstimate.countText(clients)
        let perSecond = ResourceEstimate.bytesPerSimulatedSecond
        let durationMemory = duration.seconds * perSecond
        let machine =
            "this machine has \(ResourceEstimate.bytesText(Double(physicalMemory))) and a run may use "
            + "\(JSONValue.numberText(ResourceEstimate.usableMemoryShare * 100))% of it"
        if durationMemory > memory / 2 {
            let longest = ResourceEstimate.timeText(seconds: max(0, usable - (memory - durationMemory)) / perSecond)
            report(
                .root.appending("duration"),
                "a run of \(ResourceEstimate.timeText(seconds: duration.seconds)) with \(clientsText) clients "
                    + "needs about \(ResourceEstimate.bytesText(memory)) of memory "
                    + "(\(JSONValue.numberText(perSecond)) B per simulated second, for the deliveries per "
                    + "second); \(machine)",
                hint: "at most about \(longest) fit on this machine")
            return false
        }
        let fits = ResourceEstimate.largestClientCount(
            memberships: memberships, physicalMemory: physicalMemory, duration: duration)
        let members = ResourceEstimate.countText(memberships.membersPerRoom.rounded())
        let roomsText =
            memberships.roomsPerClient == 1
            ? "its room" : "each of its \(JSONValue.numberText(memberships.roomsPerClient)) rooms on average"
        let threadsText =
            memberships.threadsPerClient > 0
            ? ", and as much for each member of its \(JSONValue.numberText(memberships.threadsPerClient)) threads "
                + "(\(ResourceEstimate.countText(memberships.membersPerThread.rounded())) on average)" : ""
        report(
            .root.appending("clients"),
            "\(clientsText) clients need about \(ResourceEstimate.bytesText(memory)) of memory "
                + "(\(JSONValue.numberText(ResourceEstimate.bytesPerClient)) B per client plus, for \(roomsText), "
                + "\(JSONValue.numberText(ResourceEstimate.bytesPerRoomPair)) B for each member of the room: "
                + "\(members) on average, counting a room as often as it has members\(threadsText)); \(machine)",
            hint: "at most \(ResourceEstimate.groupedInteger(fits)) clients fit on this machine")
        return false
    }

    /// Reports a run whose estimated event count exceeds ``ResourceEstimate/maximumEvents``, naming the
    /// recurring action that causes the most events.
    ///
    /// A client in several rooms counts once per room: design C heartbeats each room's entry, design B
    /// polls each room, and every room fans its changes out.
    private func checkEvents(
        clients: Double, roomsPerClient: Double, duration: Interval, recurring: [ResourceEstimate.Recurring]
    ) {
        let events =
            ResourceEstimate.events(clients: clients, duration: duration, recurring: recurring) * max(1, roomsPerClient)
        guard events > ResourceEstimate.maximumEvents else { return }
        let time = ResourceEstimate.timeText(seconds: events / ResourceEstimate.eventsPerSecond)
        let busiest = recurring.max {
            ($0.perClient ? clients * $0.share : 1) * $0.rate < ($1.perClient ? clients * $1.share : 1) * $1.rate
        }
        let cause = busiest.map { " with \($0.key) every \"\($0.period)\"" } ?? ""
        let rooms = roomsPerClient > 1 ? " in \(JSONValue.numberText(roomsPerClient)) rooms each" : ""
        report(
            .root.appending("clients"),
            "\(ResourceEstimate.countText(clients)) clients\(rooms) over \"\(duration)\"\(cause) come to about "
                + "\(ResourceEstimate.countText(events)) events, roughly \(time) at "
                + "\(ResourceEstimate.countText(ResourceEstimate.eventsPerSecond)) events/s; the limit is "
                + ResourceEstimate.countText(ResourceEstimate.maximumEvents),
            hint: "use fewer clients, a shorter duration or a longer "
                + (busiest.map { $0.key == "protocol.heartbeat" ? "heartbeat" : "period for \($0.key)" }
                    ?? "heartbeat"))
    }
}
