"""The demo catalogue's words in each language its items are written in (``portal.demo``).

Every language has the same lists in the same order, so one set of picks (indices drawn by the demo's
random generator) gives the same item in any language: an item marked French is written in French,
and the English items are the ones earlier releases seeded. Topics are bare noun phrases; titles and
sentences are built so that they read correctly whatever topic, place or actors they are given
(a colon or quotation marks rather than articles and cases).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Phrases:
    topics: dict[str, list[str]]  # per programme slug
    initiative_forms: list[str]
    resource_forms: list[str]
    places: list[str]
    sentences: list[str]  # with {actors} and {topic}
    actors: list[str]
    headings: tuple[str, str, str]  # objectives, activities, results
    title: str = "{form} {topic} {place}"
    space: str = " "  # between sentences


ENGLISH = Phrases(
    topics={
        "spp": ["public procurement", "green tendering", "sustainable purchasing", "life-cycle costing",
                "eco-criteria"],
        "ci": ["ecolabels", "product sustainability claims", "consumer information", "digital product passports",
               "repairability scores"],
        "st": ["sustainable tourism", "low-carbon hotels", "tourism plastics", "community-based tourism",
               "visitor flows"],
        "sle": ["sustainable lifestyles", "education for sustainable development", "youth engagement",
                "behaviour change", "sufficiency"],
        "sbc": ["sustainable buildings", "low-carbon construction", "building retrofits", "circular construction",
                "embodied carbon"],
        "sfs": ["food loss and waste", "sustainable diets", "agroecology", "school meals", "food systems dialogues"],
    },
    initiative_forms=["Pilot on", "National programme for", "Regional network on", "Campaign for", "Partnership on",
                      "Roadmap towards", "Innovation challenge on", "Community of practice on", "Scaling up"],
    resource_forms=["Guidelines on", "Toolkit for", "Case study:", "Training course on", "Policy brief on",
                    "Global review of", "Handbook of", "Dataset of", "Video series on"],
    places=["in Latin America", "in East Africa", "in South-East Asia", "across Europe", "in small island states",
            "in cities", "in rural areas", "for SMEs", "for local governments", "worldwide"],
    sentences=[
        "It brings together {actors} to accelerate the shift to sustainable consumption and production.",
        "The work focuses on {topic} and measures its results against SDG 12 targets.",
        "Partners share methods, data and lessons learned so that others can replicate them.",
        "A first phase mapped current practice; the second phase supports implementation on the ground.",
        "It offers practical guidance, examples and indicators that {actors} can use right away.",
        "The results feed into national action plans and the network's annual reporting.",
        "Special attention goes to gender equality, informal workers and vulnerable groups.",
        "It cut resource use and emissions in the participating organisations while saving costs.",
    ],
    actors=["governments", "businesses", "civil society", "researchers", "local authorities", "consumers",
            "hotels and tour operators", "farmers and retailers", "schools and universities"],
    headings=("Objectives", "Activities", "Results"),
)

FRENCH = Phrases(
    topics={
        "spp": ["marchés publics durables", "appels d’offres verts", "achats responsables", "coût du cycle de vie",
                "critères écologiques"],
        "ci": ["écolabels", "allégations environnementales des produits", "information des consommateurs",
               "passeports numériques des produits", "indices de réparabilité"],
        "st": ["tourisme durable", "hôtels bas carbone", "plastiques du tourisme", "tourisme communautaire",
               "flux de visiteurs"],
        "sle": ["modes de vie durables", "éducation au développement durable", "engagement des jeunes",
                "changement de comportement", "sobriété"],
        "sbc": ["bâtiments durables", "construction bas carbone", "rénovation des bâtiments",
                "construction circulaire", "carbone intrinsèque"],
        "sfs": ["pertes et gaspillage alimentaires", "régimes alimentaires durables", "agroécologie",
                "repas scolaires", "dialogues sur les systèmes alimentaires"],
    },
    initiative_forms=["Projet pilote :", "Programme national :", "Réseau régional :", "Campagne :", "Partenariat :",
                      "Feuille de route :", "Défi d’innovation :", "Communauté de pratique :", "Passage à l’échelle :"],
    resource_forms=["Lignes directrices :", "Boîte à outils :", "Étude de cas :", "Formation :", "Note d’orientation :",
                    "Panorama mondial :", "Manuel :", "Jeu de données :", "Série vidéo :"],
    places=["en Amérique latine", "en Afrique de l’Est", "en Asie du Sud-Est", "en Europe",
            "dans les petits États insulaires", "dans les villes", "en milieu rural", "pour les PME",
            "pour les collectivités locales", "dans le monde"],
    sentences=[
        "L’initiative réunit les acteurs suivants : {actors}, pour accélérer le passage à une consommation et une "
        "production durables.",
        "Le travail porte sur le thème « {topic} » et mesure ses résultats au regard des cibles de l’ODD 12.",
        "Les partenaires partagent méthodes, données et enseignements pour que d’autres puissent les reproduire.",
        "Une première phase a recensé les pratiques actuelles ; la seconde accompagne la mise en œuvre sur le "
        "terrain.",
        "Elle propose des conseils pratiques, des exemples et des indicateurs immédiatement utilisables (public "
        "visé : {actors}).",
        "Les résultats alimentent les plans d’action nationaux et les rapports annuels du réseau.",
        "Une attention particulière est portée à l’égalité des genres, aux travailleurs informels et aux groupes "
        "vulnérables.",
        "Elle a réduit la consommation de ressources et les émissions des organisations participantes tout en "
        "faisant baisser les coûts.",
    ],
    actors=["gouvernements", "entreprises", "société civile", "chercheurs", "autorités locales", "consommateurs",
            "hôtels et voyagistes", "agriculteurs et détaillants", "écoles et universités"],
    headings=("Objectifs", "Activités", "Résultats"),
)

SPANISH = Phrases(
    topics={
        "spp": ["compras públicas sostenibles", "licitaciones verdes", "adquisiciones responsables",
                "costo del ciclo de vida", "criterios ecológicos"],
        "ci": ["ecoetiquetas", "declaraciones de sostenibilidad de productos", "información al consumidor",
               "pasaportes digitales de productos", "índices de reparabilidad"],
        "st": ["turismo sostenible", "hoteles bajos en carbono", "plásticos del turismo", "turismo comunitario",
               "flujos de visitantes"],
        "sle": ["estilos de vida sostenibles", "educación para el desarrollo sostenible", "participación juvenil",
                "cambio de comportamiento", "suficiencia"],
        "sbc": ["edificios sostenibles", "construcción baja en carbono", "rehabilitación de edificios",
                "construcción circular", "carbono incorporado"],
        "sfs": ["pérdida y desperdicio de alimentos", "dietas sostenibles", "agroecología", "comidas escolares",
                "diálogos sobre sistemas alimentarios"],
    },
    initiative_forms=["Proyecto piloto:", "Programa nacional:", "Red regional:", "Campaña:", "Alianza:",
                      "Hoja de ruta:", "Desafío de innovación:", "Comunidad de práctica:", "Ampliación de escala:"],
    resource_forms=["Directrices:", "Caja de herramientas:", "Estudio de caso:", "Curso de formación:",
                    "Nota de política:", "Panorama mundial:", "Manual:", "Conjunto de datos:", "Serie de videos:"],
    places=["en América Latina", "en África Oriental", "en el Sudeste Asiático", "en Europa",
            "en los pequeños Estados insulares", "en las ciudades", "en zonas rurales", "para las pymes",
            "para los gobiernos locales", "en todo el mundo"],
    sentences=[
        "Reúne a estos actores: {actors}, para acelerar la transición hacia el consumo y la producción sostenibles.",
        "El trabajo se centra en «{topic}» y mide sus resultados con respecto a las metas del ODS 12.",
        "Los socios comparten métodos, datos y lecciones aprendidas para que otros puedan replicarlos.",
        "Una primera fase analizó las prácticas actuales; la segunda apoya la aplicación sobre el terreno.",
        "Ofrece orientación práctica, ejemplos e indicadores listos para usar (destinatarios: {actors}).",
        "Los resultados nutren los planes de acción nacionales y los informes anuales de la red.",
        "Se presta especial atención a la igualdad de género, a los trabajadores informales y a los grupos "
        "vulnerables.",
        "Redujo el uso de recursos y las emisiones de las organizaciones participantes y, a la vez, los costos.",
    ],
    actors=["gobiernos", "empresas", "sociedad civil", "investigadores", "autoridades locales", "consumidores",
            "hoteles y operadores turísticos", "agricultores y minoristas", "escuelas y universidades"],
    headings=("Objetivos", "Actividades", "Resultados"),
)

PORTUGUESE = Phrases(
    topics={
        "spp": ["compras públicas sustentáveis", "licitações verdes", "aquisições responsáveis",
                "custo do ciclo de vida", "critérios ecológicos"],
        "ci": ["rótulos ecológicos", "alegações de sustentabilidade de produtos", "informação ao consumidor",
               "passaportes digitais de produtos", "índices de reparabilidade"],
        "st": ["turismo sustentável", "hotéis de baixo carbono", "plásticos do turismo", "turismo comunitário",
               "fluxos de visitantes"],
        "sle": ["estilos de vida sustentáveis", "educação para o desenvolvimento sustentável",
                "engajamento da juventude", "mudança de comportamento", "suficiência"],
        "sbc": ["edifícios sustentáveis", "construção de baixo carbono", "reabilitação de edifícios",
                "construção circular", "carbono incorporado"],
        "sfs": ["perdas e desperdício de alimentos", "dietas sustentáveis", "agroecologia", "merenda escolar",
                "diálogos sobre sistemas alimentares"],
    },
    initiative_forms=["Projeto piloto:", "Programa nacional:", "Rede regional:", "Campanha:", "Parceria:",
                      "Roteiro:", "Desafio de inovação:", "Comunidade de prática:", "Expansão:"],
    resource_forms=["Diretrizes:", "Kit de ferramentas:", "Estudo de caso:", "Curso de formação:",
                    "Nota de política:", "Panorama global:", "Manual:", "Conjunto de dados:", "Série de vídeos:"],
    places=["na América Latina", "na África Oriental", "no Sudeste Asiático", "na Europa",
            "nos pequenos Estados insulares", "nas cidades", "em áreas rurais", "para pequenas empresas",
            "para governos locais", "no mundo"],
    sentences=[
        "Reúne estes atores: {actors}, para acelerar a transição para o consumo e a produção sustentáveis.",
        "O trabalho concentra-se em «{topic}» e mede os seus resultados face às metas do ODS 12.",
        "Os parceiros partilham métodos, dados e lições aprendidas para que outros os possam replicar.",
        "Uma primeira fase mapeou as práticas atuais; a segunda apoia a implementação no terreno.",
        "Oferece orientação prática, exemplos e indicadores prontos a usar (destinatários: {actors}).",
        "Os resultados alimentam os planos de ação nacionais e os relatórios anuais da rede.",
        "É dada especial atenção à igualdade de género, aos trabalhadores informais e aos grupos vulneráveis.",
        "Reduziu o uso de recursos e as emissões das organizações participantes, poupando custos.",
    ],
    actors=["governos", "empresas", "sociedade civil", "investigadores", "autoridades locais", "consumidores",
            "hotéis e operadores turísticos", "agricultores e retalhistas", "escolas e universidades"],
    headings=("Objetivos", "Atividades", "Resultados"),
)

ARABIC = Phrases(
    topics={
        "spp": ["المشتريات العامة المستدامة", "المناقصات الخضراء", "الشراء المسؤول", "تكلفة دورة الحياة",
                "المعايير البيئية"],
        "ci": ["العلامات البيئية", "ادعاءات استدامة المنتجات", "إعلام المستهلكين", "جوازات المنتجات الرقمية",
               "مؤشرات قابلية الإصلاح"],
        "st": ["السياحة المستدامة", "الفنادق منخفضة الكربون", "البلاستيك في السياحة", "السياحة المجتمعية",
               "تدفقات الزوار"],
        "sle": ["أنماط الحياة المستدامة", "التعليم من أجل التنمية المستدامة", "إشراك الشباب", "تغيير السلوك",
                "الاكتفاء"],
        "sbc": ["المباني المستدامة", "البناء منخفض الكربون", "تجديد المباني", "البناء الدائري",
                "الكربون المتجسد"],
        "sfs": ["فقد الأغذية وهدرها", "النظم الغذائية المستدامة", "الزراعة الإيكولوجية", "الوجبات المدرسية",
                "حوارات النظم الغذائية"],
    },
    initiative_forms=["مشروع تجريبي:", "برنامج وطني:", "شبكة إقليمية:", "حملة:", "شراكة:", "خارطة طريق:",
                      "تحدي الابتكار:", "مجتمع ممارسة:", "توسيع النطاق:"],
    resource_forms=["مبادئ توجيهية:", "مجموعة أدوات:", "دراسة حالة:", "دورة تدريبية:", "موجز سياساتي:",
                    "استعراض عالمي:", "دليل:", "مجموعة بيانات:", "سلسلة فيديو:"],
    places=["في أمريكا اللاتينية", "في شرق أفريقيا", "في جنوب شرق آسيا", "في أوروبا", "في الدول الجزرية الصغيرة",
            "في المدن", "في المناطق الريفية", "للمنشآت الصغيرة والمتوسطة", "للحكومات المحلية", "في العالم"],
    sentences=[
        "تجمع المبادرة الجهات التالية: {actors}، من أجل تسريع التحول إلى الاستهلاك والإنتاج المستدامين.",
        "يركز العمل على موضوع «{topic}» ويقيس نتائجه مقارنة بغايات الهدف 12 من أهداف التنمية المستدامة.",
        "يتبادل الشركاء الأساليب والبيانات والدروس المستفادة حتى يتمكن الآخرون من تكرارها.",
        "رصدت المرحلة الأولى الممارسات الحالية، وتدعم المرحلة الثانية التنفيذ على أرض الواقع.",
        "تقدم إرشادات عملية وأمثلة ومؤشرات جاهزة للاستخدام (الفئات المستهدفة: {actors}).",
        "تغذي النتائج خطط العمل الوطنية والتقارير السنوية للشبكة.",
        "يولى اهتمام خاص للمساواة بين الجنسين والعاملين في القطاع غير الرسمي والفئات الضعيفة.",
        "خفضت استخدام الموارد والانبعاثات في المنظمات المشاركة مع توفير التكاليف.",
    ],
    actors=["الحكومات", "الشركات", "المجتمع المدني", "الباحثون", "السلطات المحلية", "المستهلكون",
            "الفنادق ومنظمو الرحلات", "المزارعون وتجار التجزئة", "المدارس والجامعات"],
    headings=("الأهداف", "الأنشطة", "النتائج"),
)

CHINESE = Phrases(
    topics={
        "spp": ["可持续公共采购", "绿色招标", "负责任采购", "生命周期成本", "生态标准"],
        "ci": ["生态标签", "产品可持续性声明", "消费者信息", "数字产品护照", "可维修性评分"],
        "st": ["可持续旅游", "低碳酒店", "旅游业塑料", "社区旅游", "游客流量"],
        "sle": ["可持续生活方式", "可持续发展教育", "青年参与", "行为改变", "适度消费"],
        "sbc": ["可持续建筑", "低碳建造", "建筑改造", "循环建造", "隐含碳"],
        "sfs": ["粮食损失和浪费", "可持续膳食", "农业生态学", "学校餐食", "粮食系统对话"],
    },
    initiative_forms=["试点项目", "国家计划", "区域网络", "宣传活动", "伙伴关系", "路线图", "创新挑战", "实践社区",
                      "推广行动"],
    resource_forms=["指南", "工具包", "案例研究", "培训课程", "政策简报", "全球综述", "手册", "数据集", "系列视频"],
    places=["拉丁美洲", "东非", "东南亚", "欧洲", "小岛屿国家", "城市", "农村地区", "中小企业", "地方政府", "全球"],
    sentences=[
        "该倡议汇聚{actors}，加快向可持续消费和生产转型。",
        "工作重点是“{topic}”，并对照可持续发展目标12的具体目标衡量成果。",
        "伙伴们分享方法、数据和经验教训，以便他人复制推广。",
        "第一阶段梳理了现有做法；第二阶段支持实地实施。",
        "它为{actors}提供可立即使用的实用指导、范例和指标。",
        "成果纳入国家行动计划和网络的年度报告。",
        "特别关注性别平等、非正规工人和弱势群体。",
        "它减少了参与组织的资源消耗和排放，同时节约了成本。",
    ],
    actors=["各国政府", "企业", "民间社会", "研究人员", "地方当局", "消费者", "酒店和旅游经营者", "农民和零售商",
            "中小学和大学"],
    headings=("目标", "活动", "成果"),
    title="{place}{topic}{form}",
    space="",
)

RUSSIAN = Phrases(
    topics={
        "spp": ["устойчивые государственные закупки", "зеленые тендеры", "ответственные закупки",
                "стоимость жизненного цикла", "экологические критерии"],
        "ci": ["экомаркировка", "заявления об устойчивости продукции", "информирование потребителей",
               "цифровые паспорта продукции", "индексы ремонтопригодности"],
        "st": ["устойчивый туризм", "низкоуглеродные отели", "пластик в туризме", "общинный туризм",
               "потоки посетителей"],
        "sle": ["устойчивый образ жизни", "образование в интересах устойчивого развития", "вовлечение молодежи",
                "изменение поведения", "разумная достаточность"],
        "sbc": ["устойчивые здания", "низкоуглеродное строительство", "модернизация зданий",
                "циркулярное строительство", "воплощенный углерод"],
        "sfs": ["потери и порча продовольствия", "устойчивое питание", "агроэкология", "школьное питание",
                "диалоги о продовольственных системах"],
    },
    initiative_forms=["Пилотный проект:", "Национальная программа:", "Региональная сеть:", "Кампания:",
                      "Партнерство:", "Дорожная карта:", "Инновационный конкурс:", "Сообщество практиков:",
                      "Масштабирование:"],
    resource_forms=["Руководство:", "Набор инструментов:", "Тематическое исследование:", "Учебный курс:",
                    "Аналитическая записка:", "Глобальный обзор:", "Справочник:", "Набор данных:", "Видеосерия:"],
    places=["(Латинская Америка)", "(Восточная Африка)", "(Юго-Восточная Азия)", "(Европа)",
            "(малые островные государства)", "(города)", "(сельские районы)", "(малые и средние предприятия)",
            "(местные органы власти)", "(весь мир)"],
    sentences=[
        "Инициатива объединяет участников: {actors}, чтобы ускорить переход к устойчивому потреблению и "
        "производству.",
        "Работа посвящена теме «{topic}», а ее результаты оцениваются по задачам ЦУР 12.",
        "Партнеры делятся методами, данными и извлеченными уроками, чтобы другие могли их повторить.",
        "На первом этапе была изучена текущая практика; второй этап поддерживает внедрение на местах.",
        "Она предлагает практические рекомендации, примеры и показатели, готовые к использованию (адресаты: "
        "{actors}).",
        "Результаты учитываются в национальных планах действий и ежегодной отчетности сети.",
        "Особое внимание уделяется гендерному равенству, неформальным работникам и уязвимым группам.",
        "Она сократила потребление ресурсов и выбросы участвующих организаций и снизила затраты.",
    ],
    actors=["правительства", "бизнес", "гражданское общество", "исследователи", "местные власти", "потребители",
            "отели и туроператоры", "фермеры и розничные продавцы", "школы и университеты"],
    headings=("Цели", "Деятельность", "Результаты"),
)

PHRASES = {"en": ENGLISH, "fr": FRENCH, "es": SPANISH, "pt": PORTUGUESE, "ar": ARABIC, "zh": CHINESE,
           "ru": RUSSIAN}
