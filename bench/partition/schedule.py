"""The fault schedule, a pure function of the seed: the same seed gives the same faults at the
same offsets (what the clients do in between depends on timing, as in any Jepsen run).

Each event is (t seconds from the start, action, args):
    cut-agents (i, j)      agent i and agent j stop reaching each other   ... heal-agents (i, j)
    cut-cloud  (i, k)      agent i stops reaching cloudlet k's services   ... heal-cloud (i, k)
    mute-cloud (i, k)      cloudlet k's answers to agent i are dropped    ... heal-mute (i, k)
                           (the cloud does what it is asked; the agent never hears)
    cut-keystone (i,)      agent i stops reaching Keystone                ... heal-keystone (i,)
    kill (i,)              SIGKILL agent i                                 ... restart (i,)
"""
import random

# Drawn with equal chance; cloud faults and kills are listed twice, since they are what can
# make a cloud resource the federation loses track of.
FAULTS = ("cut-agents", "cut-cloud", "mute-cloud", "mute-cloud", "cut-keystone", "kill", "kill")
HEAL = {"cut-agents": "heal-agents", "cut-cloud": "heal-cloud", "mute-cloud": "heal-mute",
        "cut-keystone": "heal-keystone"}


def make(seed, duration, agents=4, cloudlets=4, gap=(0.5, 3.0), hold=(2.0, 8.0), down=(0.2, 3.0)):
    rng = random.Random(seed)
    events = []
    down_until = {i: 0.0 for i in range(1, agents + 1)}
    t = rng.uniform(*gap)
    while t < duration:
        fault = rng.choice(FAULTS)
        i = rng.randint(1, agents)
        if fault == "kill":
            if down_until[i] <= t:   # a dead agent is not killed again
                back = min(t + rng.uniform(*down), duration)
                down_until[i] = back
                events += [(t, "kill", (i,)), (back, "restart", (i,))]
        else:
            if fault == "cut-agents":
                j = rng.choice([a for a in range(1, agents + 1) if a != i])
                args = (i, j)
            elif fault in ("cut-cloud", "mute-cloud"):
                args = (i, rng.randint(1, cloudlets))
            else:
                args = (i,)
            end = min(t + rng.uniform(*hold), duration)
            events += [(t, fault, args), (end, HEAL[fault], args)]
        t += rng.uniform(*gap)
    return sorted(events, key=lambda e: e[0])
