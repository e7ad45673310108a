/* model_limits: sizes of the names and paths of lbd's configuration. */
#ifndef LBD_MODEL_LIMITS_H
#define LBD_MODEL_LIMITS_H

#define MODEL_NAME_MAX 64
#define MODEL_MAX_EXPECT 8
#define MODEL_PATH_MAX 256

#endif
