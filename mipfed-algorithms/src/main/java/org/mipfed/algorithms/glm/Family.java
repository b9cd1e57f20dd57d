package org.mipfed.algorithms.glm;

import java.util.List;
import java.util.Locale;

/** An exponential family of {@code glm}, with the links R accepts for it, R's default first. */
public enum Family {
    BINOMIAL(List.of(Link.LOGIT, Link.PROBIT, Link.CAUCHIT, Link.LOG, Link.CLOGLOG)),
    POISSON(List.of(Link.LOG, Link.IDENTITY, Link.SQRT)),
    GAUSSIAN(List.of(Link.IDENTITY, Link.LOG, Link.INVERSE));

    private final List<Link> links;

    Family(List<Link> links) {
        this.links = List.copyOf(links);
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public List<Link> links() {
        return links;
    }

    public Link defaultLink() {
        return links.get(0);
    }

    /** Whether the dispersion is estimated (gaussian) rather than fixed at 1. */
    public boolean estimatesDispersion() {
        return this == GAUSSIAN;
    }
}
