/** The import figure's child: a process that loads `crystallize` and exits. */
import 'crystallize';
