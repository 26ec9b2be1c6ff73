"""The research scripts behind docs/experiments.md: cross-validation by site
(``crossval``), settings on a validation split (``tune``), two models paired per page
(``compare``), where the loss is (``errors``), how the sets' gold texts treat each
kind of line (``label_policy``), training time (``train_speed``) and pattern timing
(``linear_time``). Run each from the repository's root with
``python -m training.experiments.NAME --help``."""
