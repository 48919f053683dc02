import PresenceCore

extension StalenessStats {
    /// Adds another set of viewers' figures (another cohort, another replication): counts, seconds and
    /// histograms add; the longest ghost is the longer of the two.
    public mutating func add(_ other: StalenessStats) {
        offlineDetection.add(other.offlineDetection)
        for cause in offlineDetectionByCause.indices {
            offlineDetectionByCause[cause].add(other.offlineDetectionByCause[cause])
        }
        ghosts += other.ghosts
        longestGhost = max(longestGhost, other.longestGhost)
        mistakes += other.mistakes
        mistakeDuration.add(other.mistakeDuration)
        flaps += other.flaps
        onlinePropagation.add(other.onlinePropagation)
        observedSeconds += other.observedSeconds
        upSeconds += other.upSeconds
        wrongSeconds += other.wrongSeconds
    }
}

extension [FanoutBucket] {
    /// Adds another part's fan-out per room-size bucket. Room counts stay this list's (the same population,
    /// or the first replication's); a bucket only `other` has joins with no rooms counted.
    public mutating func add(_ other: [FanoutBucket]) {
        for (index, bucket) in other.enumerated() {
            if index == count { append(FanoutBucket(smallest: bucket.smallest, largest: bucket.largest)) }
            self[index].events += bucket.events
            self[index].deliveries += bucket.deliveries
            self[index].recipientsPerEvent.add(bucket.recipientsPerEvent)
        }
    }
}

extension Measurements {
    /// Adds the figures of another part of the same run (another cohort's, or what belongs to none):
    /// everything counted adds, second by second for the deliveries. The timeline, the measured window
    /// and the busiest hour are the run's, which the caller sets.
    mutating func addPart(_ other: Measurements) {
        addCounts(of: other)
        for second in deliveriesBySecond.indices where second < other.deliveriesBySecond.count {
            deliveriesBySecond[second] += other.deliveriesBySecond[second]
        }
    }

    /// Adds what two measurements count alike, whether parts of one run or replications of a scenario.
    public mutating func addCounts(of other: Measurements) {
        observers.add(other.observers)
        store.add(other.store)
        storeKey.add(other.storeKey)
        typingPropagation.add(other.typingPropagation)
        ghostTyping.add(other.ghostTyping)
        lastSeenError.add(other.lastSeenError)
        if let lag = other.expiryLag { expiryLag?.add(lag) }
        heartbeats += other.heartbeats
        requests += other.requests
        bytesUp += other.bytesUp
        bytesDown += other.bytesDown
        storeOps += other.storeOps
        mobileOnlineSeconds += other.mobileOnlineSeconds
        radioJoules += other.radioJoules
        radioActiveSeconds += other.radioActiveSeconds
        fanoutEvents += other.fanoutEvents
        deliveries += other.deliveries
        recipientsPerEvent.add(other.recipientsPerEvent)
        fanoutByRoomSize.add(other.fanoutByRoomSize)
        fanoutByThreadSize.add(other.fanoutByThreadSize)
        onlineClientSeconds += other.onlineClientSeconds
    }
}
