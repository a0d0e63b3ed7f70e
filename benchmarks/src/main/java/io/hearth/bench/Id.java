package io.hearth.bench;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The published id of a benchmark method and the id of the baseline it is compared with. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Id {
    String value();

    /** Empty when the benchmark is itself a baseline, or only explains another figure. */
    String baseline() default "";
}
